"""Running the workbench under uvicorn (`osint serve`): one process, or several workers sharing the
listening socket. The app is async at the edge and runs index and state calls in a thread pool,
so a slow or idle client holds one connection, never the others.

uvicorn drops an idle keep-alive connection after `timeout_keep_alive`, but waits for ever on a
client that connected and never finished its request; `IdleTimeoutH11` also drops those after the
same time without a byte, while the request line, the headers or the body are awaited (h11 bounds
an unfinished head to 16 KiB; `security.BodyLimit` a body to 1 MiB). A client that is silent while
it reads a long answer (an export) is not dropped: the answer is what it waits for."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Sequence

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from app.interrupt import until_interrupted
from app.web.application import ALLOWED_HOSTS_VARIABLE, LOGINS_MANDATORY_VARIABLE

#: seconds a client may stay silent, while sending its request or between requests, before it is dropped
CLIENT_TIMEOUT = 15.0
#: as Host headers name them (an IPv6 literal in brackets)
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class IdleTimeoutH11(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # disarms the timer; uvicorn re-arms it once a response is sent
        if self.cycle is None or self.cycle.response_complete or self.conn.their_state is h11.SEND_BODY:
            self._arm()  # still waiting for (the rest of) a request

    def _arm(self) -> None:
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
        self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive, self._drop_if_silent)

    def _drop_if_silent(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete and self.conn.their_state is not h11.SEND_BODY:
            return  # the request is in; the app is answering it
        if not self.transport.is_closing():
            self.transport.close()


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address or "localhost" (a name such as 127.corp.example is not)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_header_name(host: str) -> str:
    """An address as a Host header names it: an IPv6 literal in brackets."""
    return f"[{host.strip('[]')}]" if ":" in host else host


def allowed_hosts(host: str, extra: Sequence[str]) -> list[str]:
    """The Host header values to answer. On loopback: loopback names (and any given), so a web page
    whose own DNS name resolves to 127.0.0.1 cannot talk to a workbench that needs no login (DNS
    rebinding). On another address, where a login is always needed: the names given, or any name
    (people reach a team's server by names this process cannot know)."""
    names = [host, *LOOPBACK_NAMES, *extra] if is_loopback(host) else [host, *extra] if extra else ["*"]
    return list(dict.fromkeys(host_header_name(name) for name in names))


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # the protocol named: asyncio sets TCP_NODELAY on accepted connections only for IPPROTO_TCP
    # sockets, and without it every answer on a kept-alive connection waited ~40 ms for a delayed ACK
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host.strip("[]"), port))
    listener.listen(128)
    listener.set_inheritable(True)
    return listener


def serve(
    listener: socket.socket,
    workers: int,
    hosts: Sequence[str],
    client_timeout: float = CLIENT_TIMEOUT,
    logins_mandatory: bool = False,
) -> None:
    """Serve the workbench on `listener` until SIGINT/SIGTERM (uvicorn finishes the requests it is
    answering first). Each worker builds the app from the environment, as every command does."""
    os.environ[ALLOWED_HOSTS_VARIABLE] = ",".join(hosts)
    os.environ[LOGINS_MANDATORY_VARIABLE] = "1" if logins_mandatory else "0"
    config = uvicorn.Config(
        "app.web.application:app_from_environment",
        factory=True,
        workers=workers,
        http=IdleTimeoutH11,
        # an int by annotation; asyncio's call_later takes any delay
        timeout_keep_alive=client_timeout,  # type: ignore[arg-type]
        timeout_graceful_shutdown=max(1, round(client_timeout)),
        log_level="warning",
        access_log=False,
        server_header=False,
        proxy_headers=True,  # X-Forwarded-Proto from a TLS proxy on this machine: cookies get Secure
        lifespan="on",
    )
    # uvicorn re-raises the signal that stopped it once it has shut down cleanly: a clean stop
    with until_interrupted():
        if workers > 1:
            Multiprocess(config, sockets=[listener]).run()
        else:
            uvicorn.Server(config).run(sockets=[listener])
