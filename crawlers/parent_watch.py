"""Ending a helper process when the process that started it dies, however it dies.

Two mechanisms, because neither covers every case:

* Linux's ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills the child the moment its parent
  goes, even while the child is deep in C code holding the GIL. It fires when the parent
  *thread* that forked the child ends, so the caller says whether that thread lives as long as
  the parent process.
* a daemon thread that notices the parent is gone by the child being reparented
  (``os.getppid()`` changes, to 1 or to a subreaper): portable to every POSIX system, and a
  fallback where prctl is unavailable or was not asked for.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: how often the watch thread looks at its parent: an orphan lives at most this long
POLL_SECONDS = 0.5
#: exit status of a process that ended because its parent was gone
ORPHANED_EXIT_STATUS = 70

logger = logging.getLogger(__name__)


def die_with_parent(parent_pid: int, death_signal: bool) -> None:
    """Make this process end when `parent_pid` does. Call it first thing in the child."""
    if death_signal:
        _set_parent_death_signal()
    # The parent may have died before the signal was armed (which would then never fire).
    if os.getppid() != parent_pid:
        os._exit(ORPHANED_EXIT_STATUS)
    threading.Thread(target=_watch, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        logger.warning(
            "prctl(PR_SET_PDEATHSIG) failed (%s); relying on the parent-watch thread", os.strerror(ctypes.get_errno())
        )


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(POLL_SECONDS)
    # os._exit, not sys.exit: nothing is left to flush for a parent that is gone, and a pool
    # worker's main thread may be blocked on a queue that will never answer.
    os._exit(ORPHANED_EXIT_STATUS)
