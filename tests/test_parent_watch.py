"""A child that called `die_with_parent` ends within seconds of its parent's `kill -9`, by each of
the two mechanisms alone: the kernel's parent-death signal (even while the child holds the GIL
in C code, where no Python thread can run) and the portable parent-watch thread."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from tests.crawl.helpers import REPO
from tests.processes import kill_quietly, running_after

BOUND_SECONDS = 10
READY_DEADLINE_SECONDS = 60

#: the child: arms the watch, says so, then blocks in `work` (never returning on its own)
CHILD = textwrap.dedent("""\
    import os, re, sys, threading
    from crawlers.parent_watch import die_with_parent
    die_with_parent(int(sys.argv[1]), death_signal=sys.argv[2] == "signal")
    print("ready", flush=True)
    if sys.argv[3] == "gil":
        re.match(r"(a+)+$", "a" * 64 + "b")  # catastrophic backtracking: C code that never releases the GIL
    else:
        threading.Event().wait()
""")
#: the parent: starts the child from its main thread, then waits for the test to kill it
PARENT = textwrap.dedent("""\
    import os, subprocess, sys, threading
    subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), *sys.argv[2:]])
    threading.Event().wait()
""")


def read_line(stream, deadline: float) -> str:
    while time.monotonic() < deadline:
        if select.select([stream], [], [], 0.5)[0]:
            return stream.readline().strip()
    raise AssertionError("the child never said it was ready")


@pytest.mark.parametrize(
    ("mechanism", "work"),
    [("signal", "gil"), ("thread", "idle")],
    ids=["parent-death signal, child busy holding the GIL", "watch thread alone, child idle"],
)
def test_a_child_ends_soon_after_its_parent_is_killed(mechanism: str, work: str) -> None:
    if mechanism == "signal" and not sys.platform.startswith("linux"):
        pytest.skip("PR_SET_PDEATHSIG is Linux only")
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, CHILD, mechanism, work],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    children: list[psutil.Process] = []
    try:
        assert read_line(parent.stdout, time.monotonic() + READY_DEADLINE_SECONDS) == "ready"
        children = psutil.Process(parent.pid).children()
        assert len(children) == 1
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        assert running_after(children, BOUND_SECONDS) == [], f"the child outlived its parent by {BOUND_SECONDS} s"
    finally:
        kill_quietly(children)
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        parent.stdout.close()
