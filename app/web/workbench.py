"""What every page of the workbench works with, opened once per server process: the index, the
capture store, the state stores (ledger, scheduler, alerts, users), the crawls started from the web
and the secret that signs cookies. Kept on `app.state.workbench`; handlers get it from
`workbench(request)`."""

from __future__ import annotations

import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path

from fastapi import Request

from alerts.store import AlertStore
from app.web.crawl_jobs import CrawlJobs
from captures.store import CaptureStore
from index.backend import IndexBackend, open_backend
from settings.config import Config
from state.ledger import Ledger
from state.scheduler import SchedulerState
from state.users import UserStore

SECRET_FILE = "web-secret"
AUDIT_FILE = "audit.log"


class Workbench:
    def __init__(self, config: Config, backend: IndexBackend | None = None, *, logins_mandatory: bool = False) -> None:
        """`logins_mandatory`: every page needs a signed-in user even while no user exists (served
        beyond loopback: removing the last user must not open the workbench to everyone)."""
        self.config = config
        self.logins_mandatory = logins_mandatory
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._owns_backend = backend is None
        self.backend = backend or open_backend(config.index_url, **config.index_options())
        self.ledger = Ledger.in_data_dir(self.data_dir)
        self.alerts = AlertStore(self.data_dir)
        self.schedule = SchedulerState(self.data_dir)
        self.users = UserStore(self.data_dir)
        self.secret = load_secret(self.data_dir)
        self._captures: CaptureStore | None = None
        self._lock = threading.Lock()
        self.crawls = CrawlJobs(self.ledger, self.data_dir)

    def captures(self) -> CaptureStore:
        """The capture store, read-only (crawls write it; a reader never recovers a writer's files)."""
        with self._lock:
            if self._captures is None:
                self._captures = CaptureStore(self.config.captures_dir, writer=False)
            return self._captures

    def record_action(self, line: str) -> None:
        """One line of the audit trail (`audit.log` in the data directory), appended with one
        write: every worker process appends to the same file without interleaving lines."""
        stamped = f"{datetime.now(UTC).isoformat(timespec='seconds')} {line}\n".encode()
        descriptor = os.open(self.data_dir / AUDIT_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, stamped)
        finally:
            os.close(descriptor)

    @property
    def auth_required(self) -> bool:
        """Whether pages need a login: as soon as any user exists (on loopback without users, the one
        analyst on their machine works without one; `osint serve` refuses other addresses then)."""
        return self.logins_mandatory or self.users.count() > 0

    def close(self) -> None:
        self.crawls.close()
        if self._captures is not None:
            self._captures.close()
        for store in (self.users, self.schedule, self.alerts, self.ledger):
            store.close()
        if self._owns_backend:
            self.backend.close()


def load_secret(data_dir: Path) -> bytes:
    """The key that signs session and CSRF cookies: made once, kept in the data directory (0600) so
    that every worker process and every restart agrees on it."""
    path = data_dir / SECRET_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    # written aside, then linked into place: linking fails if another worker was first, and nobody
    # ever reads a half-written key
    staged = path.with_name(f"{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(secrets.token_bytes(32))
    try:
        os.link(staged, path)
    except FileExistsError:
        pass
    finally:
        staged.unlink()
    return path.read_bytes()


def workbench(request: Request) -> Workbench:
    found: Workbench = request.app.state.workbench
    return found
