"""Where article fetching may connect, and for how long.

Every connection a fetch opens (the first request and each redirect hop) resolves its host
once, refuses loopback, private, link-local, shared (CGNAT) and metadata addresses unless the
project allows them, and connects to the very address it checked: a second DNS answer cannot
slip in between the check and the connection. A fetch has one deadline for all of it (DNS,
connect, redirects, headers and body); when it passes, or when its run is stopped (`Scope`),
its sockets are shut down, which wakes a read blocked on a server that drips its answer.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import os
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# instance metadata services: AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba
METADATA = {ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254",
                                              "100.100.100.200")}
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
ALLOW_HINT = "set [fetch] allow_private = true to allow intranet sources"

# how often a wait (DNS, connect) looks whether its fetch was stopped
_POLL_S = 0.1
_IN_PROGRESS = (errno.EINPROGRESS, errno.EALREADY, errno.EAGAIN)


def address_problem(address: Address | str) -> str | None:
    """Why a fetch may not connect to `address` ("a private address"), or None when it is a
    public one. IPv4 written inside IPv6 (mapped, NAT64) is judged as the IPv4 it carries."""
    ip = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip in NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_unspecified:
        return "an unspecified address (it reaches this machine)"
    if ip.is_link_local:
        return "a link-local address"
    if ip in SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


class Refused(Exception):
    """The policy forbids connecting where a URL leads; the message says where and the fix."""


class Watch:
    """One fetch: its deadline, whether it may reach private addresses, and its open sockets
    (shut down when it ends early)."""

    def __init__(self, timeout_s: float, allow_private: bool = False,
                 allow_hosts: tuple[str, ...] = ()):
        self.timeout_s = timeout_s
        self.expires = time.monotonic() + timeout_s
        self.allow_private = allow_private
        self.allow_hosts = {h.lower().rstrip(".") for h in allow_hosts}
        self.ended: str | None = None  # "timeout" or "cancelled"
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left; ends the watch (and raises) when there are none."""
        left = self.expires - time.monotonic()
        if left <= 0:
            self.end("timeout")
        if self.ended:
            raise ConnectTimeoutError(None, f"fetch ended ({self.ended})")
        return left

    def add(self, sock) -> None:
        with self._lock:
            self._sockets.append(sock)
            ended = self.ended
        if ended:
            _shut(sock)

    def end(self, why: str) -> None:
        with self._lock:
            if self.ended is not None:
                return
            self.ended = why
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def may_reach(self, host: str) -> bool:
        return self.allow_private or host.lower().rstrip(".") in self.allow_hosts


def _shut(sock) -> None:
    # shutdown (not close) wakes a thread blocked reading it; the owner still closes it
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class Scope:
    """The fetches of one run (a batch): stopping that run ends them, and no other run's.
    Once cancelled, a fetch that starts in the scope ends at once."""

    def __init__(self) -> None:
        self.cancelled = False
        self._watches: set[Watch] = set()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def entered(self) -> Iterator[Scope]:
        """Fetches made by this thread meanwhile belong to the scope."""
        previous = getattr(_local, "scope", None)
        _local.scope = self
        try:
            yield self
        finally:
            _local.scope = previous

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            watches = list(self._watches)
        for watch in watches:
            watch.end("cancelled")

    def _add(self, watch: Watch) -> None:
        with self._lock:
            self._watches.add(watch)
            cancelled = self.cancelled
        if cancelled:
            watch.end("cancelled")

    def _discard(self, watch: Watch) -> None:
        with self._lock:
            self._watches.discard(watch)


_local = threading.local()


def current() -> Watch:
    """The watch of the fetch running in this thread; a strict one outside any fetch."""
    return getattr(_local, "watch", None) or Watch(30.0)


@contextlib.contextmanager
def watching(timeout_s: float, allow_private: bool = False,
             allow_hosts: tuple[str, ...] = ()) -> Iterator[Watch]:
    """Run one fetch under a deadline: connections opened in this thread obey the watch."""
    watch = Watch(timeout_s, allow_private, allow_hosts)
    timer = threading.Timer(timeout_s, watch.end, ("timeout",))
    timer.daemon = True
    previous = getattr(_local, "watch", None)
    scope: Scope | None = getattr(_local, "scope", None)
    _local.watch = watch
    if scope is not None:
        scope._add(watch)
    timer.start()
    try:
        yield watch
    finally:
        timer.cancel()
        if scope is not None:
            scope._discard(watch)
        _local.watch = previous


# ---- resolving and connecting ----------------------------------------------------------------

Resolver = Callable[..., list]
getaddrinfo: Resolver = socket.getaddrinfo  # the one place names are resolved


def resolve(host: str, port: int, watch: Watch) -> list[tuple]:
    """getaddrinfo in a helper thread, so a resolver that hangs is bounded by the deadline
    (and by a stop request) instead of the system's own DNS timeouts."""
    result: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            result["answer"] = getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            result["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="resolve", daemon=True).start()
    while not done.wait(min(_POLL_S, watch.remaining())):
        pass
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["answer"]  # type: ignore[return-value]


def checked_addresses(host: str, port: int, watch: Watch) -> list[tuple]:
    """The resolved addresses of `host` this fetch may connect to; Refused when none."""
    answers = resolve(host, port, watch)
    if watch.may_reach(host):
        return answers
    allowed = []
    refused: tuple[str, str] | None = None
    for answer in answers:
        problem = address_problem(answer[4][0])
        if problem is None:
            allowed.append(answer)
        elif refused is None:
            refused = (answer[4][0], problem)
    if not allowed and refused is not None:
        address, problem = refused
        where = f"{host} resolves to {address}" if host != address else f"{address} is"
        raise Refused(f"{where}, {problem}; {ALLOW_HINT}")
    return allowed


def connect(host: str, port: int, watch: Watch, timeout: float | None,
            socket_options=None) -> socket.socket:
    """A socket connected to a checked address of `host`; the wait is sliced so that a stop
    or the deadline ends it."""
    last_error: OSError | None = None
    for family, kind, proto, _, sockaddr in checked_addresses(host, port, watch):
        sock = socket.socket(family, kind, proto)
        try:
            for option in socket_options or ():
                sock.setsockopt(*option)
            watch.add(sock)
            sock.setblocking(False)
            error = sock.connect_ex(sockaddr)
            give_up = time.monotonic() + min(timeout or watch.timeout_s, watch.remaining())
            poller = select.poll()  # not select(): its descriptors stop at 1024
            poller.register(sock, select.POLLOUT)
            while error in _IN_PROGRESS:
                if time.monotonic() >= give_up:
                    raise TimeoutError("connect timed out")
                if poller.poll(1000 * min(_POLL_S, watch.remaining())):
                    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            watch.remaining()
            if error:
                raise OSError(error, os.strerror(error))
            sock.settimeout(min(timeout or watch.timeout_s, watch.remaining()))
            return sock
        except (OSError, ConnectTimeoutError) as exc:
            sock.close()
            if isinstance(exc, TimeoutError | ConnectTimeoutError):
                raise
            last_error = exc
    raise last_error or OSError(f"no address to connect to for {host}")


class _Guarded:
    """What both connection classes add to urllib3's: the checked connect, the watch."""

    def _new_conn(self) -> socket.socket:
        watch = current()
        host = self._dns_host  # type: ignore[attr-defined]
        try:
            return connect(host, self.port, watch, self.timeout,  # type: ignore[attr-defined]
                           self.socket_options)  # type: ignore[attr-defined]
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc  # type: ignore[attr-defined]
        except (TimeoutError, ConnectTimeoutError) as exc:
            raise ConnectTimeoutError(self, f"Connection to {host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc

    def request(self, *args, **kwargs):
        if self.sock is None:  # type: ignore[attr-defined]
            self.connect()  # type: ignore[attr-defined]
        # a kept-alive connection opened by an earlier fetch now belongs to this one
        current().add(self.sock)  # type: ignore[attr-defined]
        return super().request(*args, **kwargs)  # type: ignore[misc]


class GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections obey the running fetch's watch. Proxies are not
    used: the address check must see where the connection really goes."""

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool,
                                                   "https": _GuardedHTTPSPool}

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                            proxies=None)


def guard(session) -> None:
    """Route a requests session's http(s) traffic through guarded connections."""
    if not isinstance(session.get_adapter("http://x/"), GuardedAdapter):
        adapter = GuardedAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
