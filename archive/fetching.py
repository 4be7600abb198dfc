"""Fetch a summary from a web address: http/https only, a timeout, at most 5 redirects, the
ingest size limit, and never an address on this machine or a private network (every resolved
address is checked, again after each redirect, and the connection goes to the checked address,
so a second DNS answer cannot swap it)."""

from __future__ import annotations

import ipaddress
import socket
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin

import httpx

from archive.formats import MAX_BYTES, MB, SUPPORTED_SUFFIXES

MAX_REDIRECTS = 5
TIMEOUT = 15.0  # seconds for the whole fetch: resolution, redirects and every byte included
USER_AGENT = "congress-archive/0.1 (+https://github.com/)"
# Content types and the reader each gets; the charset is read from the bytes, as for files.
SUFFIXES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}


class FetchError(Exception):
    """A web address that cannot be fetched; the message is one line."""


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the address asked for, where it ended up, its bytes and reader suffix."""

    url: str
    final_url: str
    content: bytes
    suffix: str


# IPv6 forms that carry an IPv4 address in their last 32 bits: NAT64 (RFC 6052), IPv4-compatible,
# IPv4-mapped and IPv4-translated (SIIT); each is only as public as the address it carries.
EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(net)
    for net in ("64:ff9b::/96", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96")
)
# Never public whatever they carry: local-use NAT64 (RFC 8215) and the deprecated site-local.
NOT_PUBLIC_IPV6 = tuple(ipaddress.IPv6Network(net) for net in ("64:ff9b:1::/48", "fec0::/10"))


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    reserved, multicast or shared, also when an IPv6 address carries an IPv4 one (mapped,
    compatible, translated, NAT64, 6to4), whose own checks say whether it is the real target."""
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in net for net in NOT_PUBLIC_IPV6):
            return False
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
        if any(address in net for net in EMBEDDING_IPV4):
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address a host name resolves to (a literal address is itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"无法解析主机名 {host} (cannot resolve host: {exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def vetted(url: httpx.URL, allow_private: bool) -> str:
    """The address to connect to for `url`, once every address its host resolves to passed."""
    if url.scheme not in ("http", "https"):
        raise FetchError(f"只支持 http 和 https 地址 (only http/https, not {url.scheme or 'none'})")
    if not url.host:
        raise FetchError("地址缺少主机名 (no host in the address)")
    addresses = resolve(url.host, url.port or (443 if url.scheme == "https" else 80))
    if not addresses:
        raise FetchError(f"无法解析主机名 {url.host} (cannot resolve host)")
    for address in addresses:
        if not allow_private and not is_public(ipaddress.ip_address(address.split("%")[0])):
            raise FetchError(
                f"拒绝访问内网或本机地址：{url.host} → {address} "
                "(refused: the address is loopback, private, link-local or reserved)"
            )
    return addresses[0]


def fetch(url: str, allow_private: bool = False, timeout: float = TIMEOUT) -> Fetched:
    """The page at `url`, following at most MAX_REDIRECTS redirects, each checked as the first,
    within `timeout` seconds in all: resolution, a server dripping headers or a body and every
    redirect run in a worker thread, and the client is closed under it at the deadline."""
    outcome: list[Fetched | BaseException] = []
    with httpx.Client(trust_env=False, follow_redirects=False, timeout=timeout) as client:

        def work() -> None:
            try:
                outcome.append(_follow(client, url.strip(), allow_private, timeout))
            except BaseException as exc:  # handed to the caller's thread
                outcome.append(exc)

        worker = threading.Thread(target=work, name="fetch", daemon=True)
        worker.start()
        worker.join(timeout)
    if not outcome:  # the worker ends on its own once its closed connection fails
        raise FetchError(_timed_out(timeout))
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _follow(client: httpx.Client, url: str, allow_private: bool, timeout: float) -> Fetched:
    """The fetch itself, redirect after redirect, each address vetted before it is connected to."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        try:
            target = httpx.URL(current)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(f"地址无效 (invalid address: {exc})") from None
        address = vetted(target, allow_private)
        try:
            result = _get(client, target, address)
        except httpx.TimeoutException:
            raise FetchError(_timed_out(timeout)) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"无法获取网页 (cannot fetch: {exc.__class__.__name__})") from None
        if isinstance(result, str):
            current = urljoin(str(target), result)
            continue
        content, suffix = result
        return Fetched(url, str(target), content, suffix)
    raise FetchError(f"重定向超过 {MAX_REDIRECTS} 次 (more than {MAX_REDIRECTS} redirects)")


def _timed_out(timeout: float) -> str:
    return f"连接超时（{timeout:.0f} 秒）(timed out)"


def _get(client: httpx.Client, target: httpx.URL, address: str) -> str | tuple[bytes, str]:
    """One request to the vetted address: a redirect's Location, or the body and its suffix."""
    host_header = target.netloc.decode("ascii")
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    direct = target.copy_with(host=address)
    headers = {"Host": host_header, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    with client.stream("GET", direct, headers=headers, extensions=extensions) as response:
        if response.is_redirect:
            location = response.headers.get("location")
            if not location:
                raise FetchError(
                    f"重定向缺少目标地址 (redirect {response.status_code} without Location)"
                )
            return location
        if response.status_code != 200:
            raise FetchError(
                f"网页返回 HTTP {response.status_code} (the server answered {response.status_code})"
            )
        suffix = _suffix(response, target)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            raise FetchError(_too_big(int(declared)))
        body = bytearray()
        for chunk in response.iter_raw():
            body += chunk
            if len(body) > MAX_BYTES:
                raise FetchError(_too_big(len(body)))
        return bytes(body), suffix


def _suffix(response: httpx.Response, target: httpx.URL) -> str:
    """The reader for a response: by its content type, else by the address's file suffix."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in SUFFIXES:
        return SUFFIXES[kind]
    suffix = PurePosixPath(target.path).suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return suffix
    raise FetchError(f"不支持的内容类型 {kind or '未知'} (unsupported content type)")


def _too_big(size: int) -> str:
    return f"网页过大：{size / MB:.1f} MB，上限 {MAX_BYTES // MB} MB (larger than the limit)"
