"""Watching processes that are not our children (a crawl's workers, a killed parent's child):
they cannot be waited for, only polled."""

from __future__ import annotations

import contextlib
import time

import psutil


def ended(process: psutil.Process) -> bool:
    """Gone, or a zombie: dead, holding no memory, only waiting for PID 1 to reap it (which the
    init of some containers does only every few seconds)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def running_after(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """Those of `processes` still running `seconds` from now, or fewer as soon as all have ended."""
    deadline = time.monotonic() + seconds
    running = [process for process in processes if not ended(process)]
    while running and time.monotonic() < deadline:
        time.sleep(0.05)
        running = [process for process in running if not ended(process)]
    return running


def kill_quietly(processes: list[psutil.Process]) -> None:
    """Never leave a stray process to the rest of the suite."""
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
