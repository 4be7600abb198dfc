"""The real `congress-archive` command and `serve` (waitress) on a free loopback port, with a client."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode

import psutil

CLI = str(Path(sys.executable).with_name("congress-archive"))
ROOT = Path(__file__).resolve().parent.parent.parent
SEEDS = ROOT / "seeds"
Params = list[tuple[str, str]] | dict[str, str] | None
Result = subprocess.CompletedProcess[str]


def run_cli(
    data_dir: Path, *args: str | Path, timeout: float = 600, input: str | None = None
) -> Result:
    """Run `congress-archive --data-dir DATA_DIR ARGS...` and capture its output as text."""
    return subprocess.run(
        [CLI, "--data-dir", str(data_dir), *map(str, args)],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def cli_ok(data_dir: Path, *args: str | Path) -> str:
    """Run a command that must succeed; its stdout."""
    done = run_cli(data_dir, *args)
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stderr[-2000:]}"
    return done.stdout


def run_measured(data_dir: Path, *args: str | Path, timeout: float = 600) -> tuple[Result, int]:
    """Run a command like run_cli, sampling its RSS; returns the result and the peak RSS in bytes."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [CLI, "--data-dir", str(data_dir), *map(str, args)], stdout=out, stderr=err
        )
        watched = psutil.Process(proc.pid)
        peak, deadline = 0, time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(psutil.Error):
                peak = max(peak, watched.memory_info().rss)
            time.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        out.seek(0)
        err.seek(0)
        result = subprocess.CompletedProcess(
            proc.args, proc.returncode, out.read().decode(), err.read().decode()
        )
    return result, peak


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        assert self.headers["content-type"].startswith("application/json"), self.headers
        return json.loads(self.body)


def path_with(path: str, params: Params = None) -> str:
    """A request target: the path as given (nothing re-encoded) plus the encoded parameters."""
    if not params:
        return path
    pairs = params.items() if isinstance(params, dict) else params
    return f"{path}?{urlencode(list(pairs))}"


class Client:
    """One keep-alive HTTP/1.1 connection; the raw path is sent as given, so hostile paths arrive."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port = port
        self.timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def get(
        self, path: str, params: Params = None, method: str = "GET", body: bytes | None = None
    ) -> Response:
        target = path_with(path, params)
        for attempt in range(2):
            conn = self._conn or http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
            self._conn = conn
            try:
                conn.request(method, target, body=body, headers={"Accept-Encoding": "identity"})
                reply = conn.getresponse()
                data = reply.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed an idle keep-alive connection: one retry
                if attempt:
                    raise
                continue
            headers = {name.lower(): value for name, value in reply.getheaders()}
            if reply.will_close:
                self.close()
            return Response(reply.status, headers, data)
        raise AssertionError("unreachable")

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class Server:
    """`congress-archive serve` over a data dir, started and stopped around a `with` block."""

    def __init__(self, data_dir: Path, threads: int = 4, extra: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.threads = threads
        self.extra = extra  # more `serve` options, e.g. --allow-private-urls
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (closed by __exit__)

    def __enter__(self) -> Server:
        serve_args = [CLI, "--data-dir", str(self.data_dir), "serve", "--host", "127.0.0.1"]
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            self.proc = subprocess.Popen(
                [
                    *serve_args,
                    "--port",
                    str(self.port),
                    "--threads",
                    str(self.threads),
                    *self.extra,
                ],
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            if self._wait_ready():
                return self
        raise AssertionError(f"serve did not start:\n{self.log()}")

    def _wait_ready(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.1)
        return False

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._log.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log(self) -> str:
        """Everything the server printed so far (waitress and Flask log to stderr)."""
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def client(self) -> Client:
        return Client(self.port)
