"""Pure work on a stream in worker processes: in order, a bounded window ahead, never orphaned.

A bulk JSONL's records are made (metadata, categories) in workers while the ingest process writes
the ones before them: on two cores that halves the time, and the workers' work overlaps the
writer's waits for the disk.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")
AHEAD = 2  # chunks queued per worker: enough to keep it busy, few enough to bound memory


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last shorter), taken as they are needed."""
    it = iter(items)
    return iter(lambda: list(islice(it, size)), [])


def default_procs() -> int:
    """Workers to start: one per core, at most two (the machines this runs on)."""
    return max(1, min(2, os.cpu_count() or 1))


def in_workers(
    fn: Callable[[T], list[R]], chunks: Iterable[T], procs: int | None = None
) -> Iterator[R]:
    """`fn` of each chunk in worker processes, the results in chunk order; at most
    AHEAD x procs chunks are out at a time, so a stream of any length is never held."""
    procs = procs or default_procs()
    context = multiprocessing.get_context("spawn")  # no forked copies of a server's threads
    with ProcessPoolExecutor(
        procs, mp_context=context, initializer=_die_with, initargs=(os.getpid(),)
    ) as pool:
        pending: deque[Future[list[R]]] = deque()
        try:
            for chunk in chunks:
                pending.append(pool.submit(fn, chunk))
                if len(pending) > AHEAD * procs:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        except BaseException:  # an error, or the reader stopped early: drop the chunks not begun
            pool.shutdown(cancel_futures=True)
            raise


def _die_with(parent: int) -> None:
    """A worker ends when the process that started it does, even by SIGKILL (which leaves
    its queues open, so a worker would otherwise wait for work forever)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
