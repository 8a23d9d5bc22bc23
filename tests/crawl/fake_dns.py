"""The real `osint` CLI in a process whose DNS is a small zone of test names, so a crawl can reach
a hostname that resolves to a loopback address without a DNS server or /etc/hosts.

A name may answer differently from one lookup to the next, as a rebinding DNS server with a zero
TTL does: each lookup (getaddrinfo or gethostbyname, whichever the code uses) takes the next
answer in the name's list, and the last answer stays. The guard's resolution cache is cut to `ttl` seconds, so
every lookup the code makes reaches this "server", as happens when the cache entry expires
between the guard's check and the connection.

    python -m tests.crawl.fake_dns ARGS...   with OSINT_TEST_DNS = {"zone": {name: [ip, ...]}, "ttl": 0}
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from typing import Any

from tests import forking
from tests.crawl.helpers import REPO, OsintCli

ZONE_VARIABLE = "OSINT_TEST_DNS"


class FakeDns:
    def __init__(self, zone: dict[str, list[str]]):
        self._answers: dict[str, list[str]] = {name.lower(): list(ips) for name, ips in zone.items()}
        self._lock = threading.Lock()
        self._getaddrinfo = socket.getaddrinfo
        self._gethostbyname = socket.gethostbyname

    def _next(self, host: Any) -> str | None:
        name = host.decode() if isinstance(host, bytes) else str(host)
        with self._lock:
            answers = self._answers.get(name.lower().rstrip("."))
            if not answers:
                return None
            return answers.pop(0) if len(answers) > 1 else answers[0]

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list:
        address = self._next(host)
        if address is None:
            return self._getaddrinfo(host, port, *args, **kwargs)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return self._getaddrinfo(address, port, family, socket.SOCK_STREAM, socket.IPPROTO_TCP, socket.AI_NUMERICHOST)

    def gethostbyname(self, host: str) -> str:
        return self._next(host) or self._gethostbyname(host)

    def install(self) -> None:
        socket.getaddrinfo = self.getaddrinfo
        socket.gethostbyname = self.gethostbyname


def run(osint: OsintCli, zone: dict[str, list[str]], *args: str, ttl: float = 0) -> subprocess.CompletedProcess:
    """`osint ARGS` (OsintCli's environment) in a process that resolves `zone` as described above."""
    env = {**osint.env, ZONE_VARIABLE: json.dumps({"zone": zone, "ttl": ttl})}
    result = forking.run(args, env, REPO, timeout=240, module="tests.crawl.fake_dns")
    if result.returncode != 0:
        raise AssertionError(f"osint {' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def main() -> None:
    config = json.loads(os.environ[ZONE_VARIABLE])
    FakeDns(config["zone"]).install()
    from network import addresses

    addresses.resolution_cache.ttl = float(config["ttl"])
    from app.cli import main as osint

    sys.argv[0] = "osint"
    osint()


if __name__ == "__main__":
    main()
