"""Web workbench speed (issue 12, "Speed"): the search and document pages under the real `osint serve`.

Builds an embedded index of --docs synthetic documents (benchmarks/corpus.py, through the backend's
bulk API as search_bench.py does) in a data directory, or keeps the one there with --reuse; starts
`osint serve` on a free loopback port with that data directory; then measures

- latency, one request at a time on a kept-alive loopback connection (so the figures are the
  server's whole answer, with no network in them): the search page `/` for two words, two words and
  a facet filter, two words sorted by date, and page 2 reached through page 1's own Next link; and
  the document page `/doc/{id}` of random documents (ids from `/api/search`). p50/p95/max per page
  kind against the targets (search p95 ≤ 150 ms, document p95 ≤ 50 ms), and the server's CPU time
  per request (its process tree's, less distorted than wall time when the machine is busy);
- load: --clients concurrent clients (asyncio, one httpx connection each) for --seconds, asking for
  search and document pages in turn: requests/s, errors (any status but 200, or no answer at all),
  p50/p95. For the second half of the run a slow client (half a request, then silence) and an idle
  connection (no byte at all) are held open, reconnecting whenever the server drops them; the p95 of
  each half shows whether they slow anyone down;
- a probe, after the load: with 20 half-open connections held, how long a fresh request takes
  (target: under 1 s).

The facet filters are entity values the synthetic corpus stores under their canonical names
(`weapon:RPG-7`, `group:Hezbollah`) and plain fields (`lang:fr`, `kind:document`): the corpus stores
country *names* where crawled documents store ISO codes, so `country:IR` would match nothing here
and be unrealistically cheap.

    python benchmarks/web_bench.py --docs 100000 --requests 300 --clients 50 --seconds 60 \
        [--workers 2] [--data-dir PATH [--reuse]] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psutil  # type: ignore[import-untyped]  # no types of its own, no stub package installed

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import ARMED_GROUPS, WEAPONS, sample_queries  # noqa: E402
from benchmarks.search_bench import index_documents, percentile  # noqa: E402
from extractors.entities.filters import canonicalize_filter  # noqa: E402
from index.backend import open_backend  # noqa: E402
from settings.config import embedded_index_url  # noqa: E402

SEARCH_TARGET_MS = 150.0
DOCUMENT_TARGET_MS = 50.0
PROBE_TARGET_MS = 1000.0
HALF_OPEN_PROBES = 20
SERVER_START_SECONDS = 120.0
SERVER_STOP_SECONDS = 30.0
REQUEST_TIMEOUT = 30.0
#: how `osint serve` announces its address
ANNOUNCED = re.compile(r"at http://127\.0\.0\.1:(\d+)/")
_HREF = re.compile(r'href="([^"]+)"')
SEARCH_VARIANTS = ("two words", "words + facet", "by date", "page 2")
#: the server under test, before its options
SERVE_COMMAND = [sys.executable, "-m", "app.cli", "serve"]


# -- the index


def index_path(data_dir: Path) -> Path:
    return data_dir / "index.sqlite3"  # where `osint serve` looks without OSINT_INDEX_URL


def build_index(data_dir: Path, docs: int, words: int, seed: int, batch: int, reuse: bool) -> dict[str, Any]:
    """Index the corpus into the data directory's embedded index; with `reuse`, keep what is there
    and add only the documents missing (the corpus is deterministic, so they are the next ones)."""
    path = index_path(data_dir)
    if path.exists() and not reuse:
        raise SystemExit(f"{path} exists: pass --reuse to measure it again, or choose another --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open_backend(embedded_index_url(data_dir)) as backend:
        present = backend.count()
        indexing = None
        if present < docs:
            indexing = index_documents(backend, docs, words, seed, batch, start=present)
        documents = backend.count()
    return {
        "index": str(path),
        "documents": documents,
        "reused": present,
        "indexing": indexing,  # backend time only (search_bench.index_documents)
        "build_seconds": round(time.perf_counter() - started, 1),  # generation included
        "index_mb": round(sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20, 1),
    }


# -- the server


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User and system CPU of the server's process tree (the workers are its children)."""
        total = 0.0
        root = psutil.Process(self.process.pid)
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total


def start_server(data_dir: Path, workers: int, log: Path) -> Server:
    """`osint serve --port 0` with this data directory (and nothing else from the environment's
    OSINT_* settings); waits for its announced address, then for it to answer."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("OSINT_")}
    environment.update(OSINT_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO))
    command = [*SERVE_COMMAND, "--host", "127.0.0.1", "--port", "0", "--workers", str(workers)]
    with log.open("wb") as output:  # a file, not a pipe: a chatty server never blocks on a full pipe
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + SERVER_START_SECONDS
    port = None
    while port is None:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"osint serve did not start: {log.read_text(errors='replace')[-2000:]}")
        found = ANNOUNCED.search(log.read_text(errors="replace"))
        port = int(found.group(1)) if found else None
        time.sleep(0.05)
    server = Server(process, port, log)
    while time.monotonic() < deadline:  # the socket listens before the app has started
        with contextlib.suppress(OSError):
            status, _ = fetch(http.client.HTTPConnection(server.host, timeout=REQUEST_TIMEOUT), "/healthz")
            if status == 200:
                return server
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"osint serve never answered /healthz: {log.read_text(errors='replace')[-2000:]}")


def stop_server(server: Server) -> dict[str, Any]:
    """SIGTERM, then wait for uvicorn to finish what it is answering and exit."""
    started = time.perf_counter()
    server.process.send_signal(signal.SIGTERM)
    try:
        code = server.process.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)  # its own session: only the server and its workers
        code = server.process.wait()
    return {"seconds": round(time.perf_counter() - started, 2), "returncode": code}


# -- requests


def fetch(connection: http.client.HTTPConnection, path: str, accept: str = "text/html") -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept": accept})
    response = connection.getresponse()
    return response.status, response.read()


def search_href(query: str, **extra: str) -> str:
    return "/?" + urlencode({"q": query, **extra})


def next_page_href(page: bytes) -> str | None:
    """The Next link of a first result page: the one link to page 2."""
    for href in _HREF.findall(page.decode("utf-8", errors="replace")):
        target = html.unescape(href)
        if target.startswith("/?") and "after=" in target and "page=2" in target:
            return target
    return None


def facet_filters() -> list[str]:
    """Filters with values the corpus stores as the index expects them (see the module's docstring)."""
    weapons = [f"weapon:{name}" for name in WEAPONS if canonicalize_filter("weapon", name) == name]
    groups = [f"group:{name}" for name in ARMED_GROUPS if canonicalize_filter("group", name) == name]
    return weapons + groups + ["lang:fr", "lang:ar", "kind:document", "kind:feed", "watchlist:sahel"]


@dataclass
class Plan:
    """What the clients ask for: search page addresses of each variant, and document ids."""

    queries: list[str]
    filters: list[str]
    document_ids: list[str]
    page_two: list[str] = field(default_factory=list)  # Next links collected during the run

    def search(self, variant: str, rng: random.Random) -> str:
        query = rng.choice(self.queries)
        if variant == "words + facet":
            return search_href(query, f=rng.choice(self.filters))
        if variant == "by date":
            return search_href(query, sort="date")
        return search_href(query)

    def document(self, rng: random.Random) -> str:
        return "/doc/" + quote(rng.choice(self.document_ids), safe="")


def make_plan(server: Server, count: int, seed: int) -> Plan:
    """Queries from the corpus, and document ids as an API client finds them (`/api/search`)."""
    queries = sample_queries(max(count, 100), seed=seed)
    connection = http.client.HTTPConnection(server.host, timeout=REQUEST_TIMEOUT)
    ids: list[str] = []
    for query in queries[:20]:
        for sort in ("relevance", "date"):
            status, body = fetch(connection, "/api/search?" + urlencode({"q": query, "size": 100, "sort": sort}), "")
            if status != 200:
                raise RuntimeError(f"/api/search answered {status}: {body[:500]!r}")
            ids.extend(hit["id"] for hit in json.loads(body)["hits"])
    if not ids:
        raise RuntimeError("/api/search found no documents: is the index empty?")
    status, body = fetch(connection, search_href(queries[0]))
    if status != 200 or next_page_href(body) is None:
        raise RuntimeError(f"the search page is not usable yet (status {status}, Next link: {next_page_href(body)})")
    connection.close()
    return Plan(queries, facet_filters(), sorted(set(ids)))


# -- latency, one request at a time


def summary(latencies: list[float], target: float | None = None) -> dict[str, Any]:
    if not latencies:
        return {"requests": 0}
    figures: dict[str, Any] = {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
    }
    if target is not None:
        figures.update(target_p95_ms=target, met=figures["p95_ms"] <= target)
    return figures


def timed(connection: http.client.HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    status, body = fetch(connection, path)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    return elapsed


def sequential_latency(server: Server, plan: Plan, requests: int, seed: int) -> dict[str, Any]:
    """`requests` search pages (the variants in turn), then `requests` document pages, one at a time."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(server.host, timeout=REQUEST_TIMEOUT)
    for number in range(10):  # warm up: imports, templates, the index's first pages
        timed(connection, plan.search(SEARCH_VARIANTS[number % 3], rng))
        timed(connection, plan.document(rng))
    by_variant: dict[str, list[float]] = {variant: [] for variant in SEARCH_VARIANTS}
    served = 0  # search pages the server answered, the untimed page 1 before each page 2 included
    cpu_started = server.cpu_seconds()
    for number in range(requests):
        variant = SEARCH_VARIANTS[number % len(SEARCH_VARIANTS)]
        if variant == "page 2":  # the analyst reads page 1, then follows its Next link
            first = plan.search("two words", rng)
            status, body = fetch(connection, first)
            following = next_page_href(body) if status == 200 else None
            if following is None:
                raise RuntimeError(f"no Next link on {first} (status {status})")
            plan.page_two.append(following)
            served += 1
            by_variant[variant].append(timed(connection, following))
        else:
            by_variant[variant].append(timed(connection, plan.search(variant, rng)))
        served += 1
    search_cpu = server.cpu_seconds() - cpu_started
    documents: list[float] = []
    cpu_started = server.cpu_seconds()
    for _ in range(requests):
        documents.append(timed(connection, plan.document(rng)))
    document_cpu = server.cpu_seconds() - cpu_started
    connection.close()
    search = summary([value for values in by_variant.values() for value in values], SEARCH_TARGET_MS)
    search["server_cpu_ms_per_request"] = round(search_cpu * 1000 / served, 1)
    document = summary(documents, DOCUMENT_TARGET_MS)
    document["server_cpu_ms_per_request"] = round(document_cpu * 1000 / requests, 1)
    return {
        "search": search,
        "search_variants": {variant: summary(values) for variant, values in by_variant.items()},
        "document": document,
    }


# -- load


@dataclass(frozen=True)
class Sample:
    at: float  # seconds from the start of the load to the request
    kind: str  # "search" or "document"
    ms: float
    error: str | None  # "HTTP 500", an exception's name, or None for a 200


@dataclass
class Intruder:
    """A connection that never completes a request, reopened whenever the server drops it."""

    opening: bytes  # what it sends before falling silent (nothing, or half a request)
    connections: int = 0
    dropped_after: list[float] = field(default_factory=list)  # seconds each was held before the server closed it

    async def hold(self, host: str, port: int, stop: asyncio.Event) -> None:
        while not stop.is_set():
            reader, writer = await asyncio.open_connection(host, port)
            self.connections += 1
            opened = time.monotonic()
            writer.write(self.opening)
            await writer.drain()
            stopping = asyncio.ensure_future(stop.wait())
            while True:
                reading = asyncio.ensure_future(reader.read(65536))
                await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not reading.done():  # the run is over, the connection still held
                    reading.cancel()
                    break
                if not reading.result():  # EOF: the server let it go
                    self.dropped_after.append(round(time.monotonic() - opened, 1))
                    break
            stopping.cancel()
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    def report(self) -> dict[str, Any]:
        return {
            "connections": self.connections,
            "dropped_by_server": len(self.dropped_after),
            "held_seconds_before_drop": statistics.median(self.dropped_after) if self.dropped_after else None,
        }


def half_request(server: Server) -> bytes:
    """A request cut off in the middle of its headers."""
    return f"GET /?q=rifles HTTP/1.1\r\nHost: {server.host}\r\nAccept: text/h".encode()


def pick(plan: Plan, rng: random.Random, turn: int) -> tuple[str, str]:
    """Search and document pages in turn; the search variants at random."""
    if turn % 2:
        return "document", plan.document(rng)
    variant = rng.choice(SEARCH_VARIANTS)
    if variant == "page 2" and plan.page_two:
        return "search", rng.choice(plan.page_two)
    return "search", plan.search(variant, rng)


async def client_loop(
    client: httpx.AsyncClient, plan: Plan, rng: random.Random, began: float, seconds: float, samples: list[Sample]
) -> None:
    turn = rng.randrange(2)
    while (now := time.monotonic()) < began + seconds:
        kind, path = pick(plan, rng, turn)
        turn += 1
        error: str | None = None
        try:
            response = await client.get(path)
            if response.status_code != 200:
                error = f"HTTP {response.status_code}"
        except Exception as exc:  # any failure to answer is an error of the run, counted, never raised
            error = type(exc).__name__
        samples.append(Sample(now - began, kind, (time.monotonic() - now) * 1000, error))


async def run_load(server: Server, plan: Plan, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    samples: list[Sample] = []
    slow, idle = Intruder(half_request(server)), Intruder(b"")
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(
        base_url=f"http://{server.host}", limits=limits, timeout=REQUEST_TIMEOUT, headers={"Accept": "text/html"}
    ) as client:
        began, client_cpu, server_cpu = time.monotonic(), time.process_time(), server.cpu_seconds()
        loops = [
            asyncio.ensure_future(client_loop(client, plan, random.Random(seed * 1000 + n), began, seconds, samples))
            for n in range(clients)
        ]
        await asyncio.sleep(seconds / 2)  # the first half without intruders, the second with them
        intruders = [asyncio.ensure_future(one.hold("127.0.0.1", server.port, stop)) for one in (slow, idle)]
        await asyncio.gather(*loops)
        stop.set()
        await asyncio.gather(*intruders)
        elapsed = time.monotonic() - began
        client_cpu, server_cpu = time.process_time() - client_cpu, server.cpu_seconds() - server_cpu
    errors = [sample.error for sample in samples if sample.error]
    figures: dict[str, Any] = {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(samples),
        "requests_per_second": round(len(samples) / elapsed, 1),
        "errors": len(errors),
        "error_kinds": {kind: errors.count(kind) for kind in sorted(set(errors))},
        # the machine's cores are shared: how much of them the load client took, and the server
        "client_cpu_seconds": round(client_cpu, 1),
        "server_cpu_seconds": round(server_cpu, 1),
        **{key: value for key, value in summary([s.ms for s in samples]).items() if key != "requests"},
    }
    for kind in ("search", "document"):
        figures[kind] = summary([s.ms for s in samples if s.kind == kind])
    figures["first_half_without_intruders"] = summary([s.ms for s in samples if s.at < seconds / 2])
    figures["second_half_with_intruders"] = summary([s.ms for s in samples if s.at >= seconds / 2])
    figures["slow_client"] = slow.report()
    figures["idle_connection"] = idle.report()
    return figures


# -- one fresh request among half-open connections


def still_open(connection: socket.socket) -> bool:
    try:
        return bool(connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))  # b"": closed by the server
    except BlockingIOError:
        return True  # nothing to read, not closed
    except OSError:
        return False


def half_open_probe(server: Server, plan: Plan, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(HALF_OPEN_PROBES)]
    try:
        for connection in held:
            connection.sendall(half_request(server))
        answers: dict[str, Any] = {}
        for kind, path in (("search", plan.search("two words", rng)), ("document", plan.document(rng))):
            fresh = http.client.HTTPConnection(server.host, timeout=REQUEST_TIMEOUT)
            started = time.perf_counter()
            status, _ = fetch(fresh, path)
            answers[kind] = {"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
            fresh.close()
        open_after = sum(still_open(connection) for connection in held)
    finally:
        for connection in held:
            connection.close()
    return {
        "half_open": HALF_OPEN_PROBES,
        "still_open_after": open_after,
        **answers,
        "target_ms": PROBE_TARGET_MS,
        "met": all(answer["status"] == 200 and answer["ms"] < PROBE_TARGET_MS for answer in answers.values()),
    }


# -- the report


def met(flag: bool) -> str:
    return "met" if flag else "NOT met"


def table(report: dict[str, Any]) -> Iterator[str]:
    setup = report["index"]
    yield (
        f"index: {setup['documents']:,} documents ({setup['index_mb']} MB), "
        + (f"built in {setup['build_seconds']} s" if setup["indexing"] else "reused")
        + f"; server: {report['workers']} worker(s); load average {report['load_before']:.2f} before"
    )
    yield ""
    yield f"{'one request at a time':28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cpu ms':>7}  target"
    latency = report["latency"]
    for name, row in [("search page", latency["search"])] + [
        (f"  {variant}", figures) for variant, figures in latency["search_variants"].items()
    ]:
        target = f"p95 ≤ {row['target_p95_ms']:.0f} ms: {met(row['met'])}" if "met" in row else ""
        cpu = row.get("server_cpu_ms_per_request", "")
        yield f"{name:28} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} {cpu:>7}  {target}"
    row = latency["document"]
    yield (
        f"{'document page':28} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} "
        f"{row['server_cpu_ms_per_request']:>7}  p95 ≤ {row['target_p95_ms']:.0f} ms: {met(row['met'])}"
    )
    load = report["load"]
    yield ""
    yield (
        f"load: {load['clients']} clients for {load['seconds']} s: {load['requests']:,} requests, "
        f"{load['requests_per_second']} requests/s, errors {load['errors']} {load['error_kinds'] or ''}; "
        f"CPU seconds: server {load['server_cpu_seconds']}, load client {load['client_cpu_seconds']}"
    )
    yield f"{'under load':28} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    for name, key in (
        ("all", None),
        ("search pages", "search"),
        ("document pages", "document"),
        ("first half", "first_half_without_intruders"),
        ("second half: slow + idle", "second_half_with_intruders"),
    ):
        row = load if key is None else load[key]
        yield f"{name:28} {row['requests']:>8} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8}"
    for name in ("slow_client", "idle_connection"):
        row = load[name]
        yield (
            f"{name.replace('_', ' ')}: {row['connections']} connection(s), {row['dropped_by_server']} dropped by "
            f"the server (after {row['held_seconds_before_drop']} s)"
        )
    probe = report["probe"]
    yield ""
    yield (
        f"fresh requests with {probe['half_open']} half-open connections held ({probe['still_open_after']} still open "
        f"after): search page {probe['search']['ms']} ms, document page {probe['document']['ms']} ms; "
        f"< {probe['target_ms']:.0f} ms: {met(probe['met'])}"
    )
    yield f"server stopped (SIGTERM) in {report['server_stop']['seconds']} s, exit status {report['server_stop']['returncode']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the index (default 100000)")
    parser.add_argument("--words", type=int, default=600, help="words per document (default 600)")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per page kind (default 300)")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients of the load (default 50)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load (default 60)")
    parser.add_argument("--workers", type=int, default=1, help="osint serve --workers (default 1)")
    parser.add_argument("--data-dir", type=Path, help="data directory for the index (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="measure the index already in --data-dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=500, help="documents per upsert() call")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="web-bench-") as scratch:
        data_dir = (args.data_dir or Path(scratch) / "data").resolve()
        report: dict[str, Any] = {"docs": args.docs, "words": args.words, "workers": args.workers}
        report["index"] = build_index(data_dir, args.docs, args.words, args.seed, args.batch, args.reuse)
        report["load_before"] = os.getloadavg()[0]
        server = start_server(data_dir, args.workers, Path(scratch) / "serve.log")
        try:
            plan = make_plan(server, args.requests, args.seed)
            report["latency"] = sequential_latency(server, plan, args.requests, args.seed)
            report["load"] = asyncio.run(run_load(server, plan, args.clients, args.seconds, args.seed))
            report["probe"] = half_open_probe(server, plan, args.seed)
        finally:
            report["server_stop"] = stop_server(server)
        report["load_after"] = os.getloadavg()[0]
    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print("\n".join(table(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
