"""`osint serve`, the real command on 127.0.0.1: slow clients block nobody, credentials are never
shown, an index that is down answers 503, and SIGTERM stops the server cleanly."""

from __future__ import annotations

import base64
import json
import signal
import socket
import time

from tests.crawl.helpers import OsintCli
from tests.serving import http_get, osint_serve

PASSWORD = "s3cret-Pa55"
ANSWER_WITHIN = 5.0  # seconds: a page on an idle loopback server answers in milliseconds


def get(url: str) -> tuple[int, str, str]:
    """(status, content type, body), waiting at most ANSWER_WITHIN seconds."""
    status, headers, body = http_get(url, timeout=ANSWER_WITHIN)
    return status, headers["Content-Type"], body


def half_request(base_url: str) -> socket.socket:
    """A client that sends the start of a request, then nothing: the rest of its headers never come."""
    port = int(base_url.rsplit(":", 1)[1])
    client = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN)
    client.sendall(b"GET /?q=kornet HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return client


def test_clients_that_send_half_a_request_block_nobody(osint: OsintCli):
    with osint_serve(osint) as (server, base_url):
        idle = [half_request(base_url) for _ in range(3)]
        try:
            for path in ("/healthz", "/?q=kornet", "/api/search?q=kornet"):
                started = time.monotonic()
                status, _, _ = get(base_url + path)
                assert status == 200 and time.monotonic() - started < ANSWER_WITHIN, path
        finally:
            for client in idle:
                client.close()
        assert server.stop(signal.SIGTERM) == 0, server.output  # SIGTERM is a clean stop, not a kill


def test_an_idle_client_is_disconnected_after_the_client_timeout(osint: OsintCli):
    with osint_serve(osint, "--client-timeout", "0.5") as (_, base_url), half_request(base_url) as client:
        client.settimeout(20)  # the bound on this test's wait; the server's limit is 0.5 s
        started = time.monotonic()
        assert client.recv(1024) == b""  # the server hung up without an answer
        assert time.monotonic() - started < 10


def test_the_index_password_is_never_shown_and_a_down_engine_answers_503(osint: OsintCli, closed_port: int):
    osint.env["OSINT_INDEX_URL"] = f"http://analyst:{PASSWORD}@127.0.0.1:{closed_port}"
    with osint_serve(osint, global_options=("-vv",)) as (server, base_url):  # every log line the libraries write
        assert f"Searching http://***@127.0.0.1:{closed_port} at {base_url}/" in server.output

        status, content_type, page = get(base_url + "/?q=kornet")
        assert status == 503 and content_type.startswith("text/html")
        assert "The search index is unreachable right now" in page and "Traceback" not in page

        status, content_type, body = get(base_url + "/api/search?q=kornet")
        assert status == 503 and content_type == "application/json"
        assert "unreachable" in json.loads(body)["detail"]

        assert get(base_url + "/healthz")[0] == 200
        assert server.stop(signal.SIGTERM) == 0
    basic_auth = base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()
    assert "unreachable" in server.output  # the server log says why, without the credentials
    assert PASSWORD not in server.output and basic_auth not in server.output


def test_commands_fail_in_one_line_when_the_engine_is_down(osint: OsintCli, closed_port: int, tmp_path):
    osint.env["OSINT_INDEX_URL"] = f"http://analyst:{PASSWORD}@127.0.0.1:{closed_port}"
    for command in (
        ("search", "kornet"),
        ("index", "status"),
        ("index", "migrate", "--to", f"sqlite:///{tmp_path / 'copy.sqlite3'}"),
    ):
        result = osint.run(*command, check=False)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        errors = result.stderr.strip().splitlines()
        assert len(errors) == 1 and errors[0].startswith("Error: "), (command, result.stderr)
        assert f"http://127.0.0.1:{closed_port}" in errors[0]  # which engine, without its credentials
        assert PASSWORD not in result.stdout + result.stderr
