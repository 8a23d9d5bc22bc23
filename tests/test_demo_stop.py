"""`osint demo --serve` stops on Ctrl-C and on SIGTERM (the crawl before it used to leave Scrapy's
signal handlers in place, and only kill -9 stopped it)."""

from __future__ import annotations

import signal
import socket
import urllib.request
from pathlib import Path

import pytest

from tests.crawl.helpers import OsintCli
from tests.serving import RunningCommand

pytestmark = [pytest.mark.slow, pytest.mark.browser]  # a whole demo crawl, with Chromium for its render_js source

#: seconds after the signal. The bug this guards against is a process that never stops; an idle
#: machine stops in about a second, but a loaded one (3-4 test workers on 2 cores) has taken over 10 s
#: to tear down an interpreter holding the spaCy model, the gazetteers and a finished Chromium crawl
STOPS_WITHIN = 60.0


@pytest.fixture(scope="module")
def osint(tmp_path_factory: pytest.TempPathFactory) -> OsintCli:
    """One data directory for both signals: the second demo crawl is incremental, so quicker."""
    return OsintCli(Path(tmp_path_factory.mktemp("demo")) / "data", extract_workers=0)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_demo_serve_stops_on_a_signal(osint: OsintCli, signum: int):
    demo = RunningCommand(osint, "demo", "--serve")
    try:
        base_url = demo.wait_for_stdout(r"Serving (http://127\.0\.0\.1:(\d+)) until Ctrl-C", timeout=300)
        with urllib.request.urlopen(base_url[1] + "/", timeout=5) as response:
            assert response.status == 200  # serving the demo site, after the crawl and the searches
        code = demo.stop(signum, timeout=STOPS_WITHIN)
    finally:
        if demo.process.poll() is None:
            demo.stop(signal.SIGKILL)
    assert code == 0, f"exit status {code} (None: still running {STOPS_WITHIN} s after the signal)\n{demo.output}"
    with pytest.raises(ConnectionRefusedError):  # the site's port is released
        socket.create_connection(("127.0.0.1", int(base_url[2])), timeout=5).close()
