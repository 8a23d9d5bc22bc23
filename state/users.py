"""The workbench's users, in ``data_dir/users.sqlite3``: names, roles, argon2 password hashes, one API
token each, browser sessions, and the failed logins that throttle password guessing.

No secret is stored as given: passwords as argon2id hashes (argon2-cffi's PasswordHasher), API
tokens and session ids as SHA-256 digests (they are long random strings, so a plain digest is
enough, and a copy of the file signs no one in). Times are ISO-8601 UTC text, as in the other stores.

Roles nest: an admin may do what an editor may, an editor what a viewer may (`User.may`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Literal, get_args

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from schema.document import utcnow
from state import tables
from state.database import Database, Migrations, query

Role = Literal["viewer", "editor", "admin"]
#: the roles, weakest first
ROLES: tuple[Role, ...] = get_args(Role)

NAME_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
MIN_PASSWORD_LENGTH = 10
#: argon2 reads the whole password: a bound keeps one request from costing more than a login should
MAX_PASSWORD_LENGTH = 1024
TOKEN_PREFIX = "osint_"
#: failed logins older than this are forgotten (a throttling window longer than this sees fewer)
FAILURES_KEPT = timedelta(days=1)
#: the name and address of a failed login are the client's: kept to this length
_FAILURE_FIELD_LENGTH = 256


def _create_tables(connection: Connection) -> None:
    tables.METADATA.create_all(connection, [tables.USERS, tables.SESSIONS, tables.LOGIN_FAILURES], checkfirst=True)


#: the user store's schema history
MIGRATIONS = Migrations("users", [_create_tables])

_ADD = text("INSERT INTO users (name, role, password_hash, created) VALUES (:name, :role, :password_hash, :created)")
_REMOVE_USER = text("DELETE FROM users WHERE name = :name")
_SET_ROLE = text("UPDATE users SET role = :role WHERE name = :name")
_SET_PASSWORD = text("UPDATE users SET password_hash = :password_hash WHERE name = :name")
_REHASH = text("UPDATE users SET password_hash = :new WHERE name = :name AND password_hash = :old")
_SET_TOKEN = text("UPDATE users SET token_sha256 = :token_sha256 WHERE name = :name")
_GET = query("SELECT name, role FROM users WHERE name = :name", "name", "role")
_ALL = query("SELECT name, role FROM users ORDER BY name", "name", "role")
_COUNT = query("SELECT COUNT(*) AS count FROM users", "count")
_PASSWORD_HASH = query("SELECT password_hash FROM users WHERE name = :name", "password_hash")
_BY_TOKEN = query("SELECT name, role FROM users WHERE token_sha256 = :token_sha256", "name", "role")

_START_SESSION = text(
    "INSERT INTO sessions (id_sha256, user_name, created, expires) VALUES (:id_sha256, :name, :created, :expires)"
)
_SESSION_USER = query(
    "SELECT users.name, users.role FROM sessions JOIN users ON users.name = sessions.user_name "
    "WHERE sessions.id_sha256 = :id_sha256 AND sessions.expires > :now",
    "name",
    "role",
)
_END_SESSION = text("DELETE FROM sessions WHERE id_sha256 = :id_sha256")
_END_SESSIONS = text("DELETE FROM sessions WHERE user_name = :name")
_FORGET_EXPIRED_SESSIONS = text("DELETE FROM sessions WHERE expires <= :now")

_NOTE_FAILURE = text("INSERT INTO login_failures (name, address, at) VALUES (:name, :address, :at)")
_FORGET_OLD_FAILURES = text("DELETE FROM login_failures WHERE at < :before")
_FAILURES_BY_NAME = query("SELECT COUNT(*) AS count FROM login_failures WHERE name = :name AND at >= :since", "count")
_FAILURES_BY_ADDRESS = query(
    "SELECT COUNT(*) AS count FROM login_failures WHERE address = :address AND at >= :since", "count"
)
_CLEAR_FAILURES = text("DELETE FROM login_failures WHERE name = :name AND address = :address")


class UserExists(ValueError):
    pass


class NoSuchUser(LookupError):
    pass


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    def may(self, role: Role) -> bool:
        """Whether this user has `role` or a stronger one."""
        return ROLES.index(self.role) >= ROLES.index(role)


def check_name(name: str) -> str:
    """`name` if it is a valid user name, else ValueError saying what a name may be."""
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError("a user name is 1 to 64 letters, digits, dots, underscores or hyphens (A-Z a-z 0-9 . _ -)")
    return name


def check_password(password: str) -> str:
    """`password` if it is long enough (and not absurdly long), else ValueError saying so."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str) -> Role:
    for known in ROLES:
        if role == known:
            return known
    raise ValueError(f"a role is one of {', '.join(ROLES)}, not {role!r}")


def digest(secret: str) -> str:
    """The SHA-256 of a token or session id, as kept in the store."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _iso(moment: datetime) -> str:
    # a fixed width (microseconds always written) keeps the text comparisons of times in SQL right
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with `hasher`'s parameters that no password is checked against for real: verifying an
    unknown name against it costs what verifying a known one does."""
    return hasher.hash(secrets.token_urlsafe(16))


class UserStore:
    def __init__(
        self,
        data_dir: Path | str,
        *,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`hasher`: argon2's recommended parameters unless given (a hash made with others is
        replaced at its next successful verify); `clock`: the current time (UTC), for tests."""
        self.data_dir = Path(data_dir)
        self.hasher = hasher or PasswordHasher()
        self.clock = clock
        self.database = Database(self.data_dir / "users.sqlite3", migrations=MIGRATIONS)

    def close(self) -> None:
        self.database.close()

    # users ---------------------------------------------------------------------------------
    def add(self, name: str, role: Role, password: str) -> User:
        """Create user `name`; ValueError for a bad name, role or password, UserExists if taken."""
        user = User(check_name(name), check_role(role))
        row = {
            "name": user.name,
            "role": user.role,
            "password_hash": self.hasher.hash(check_password(password)),
            "created": _iso(self.clock()),
        }
        try:
            with self.database.write() as connection:
                connection.execute(_ADD, row)
        except IntegrityError:
            raise UserExists(f"a user named {name!r} exists already") from None
        return user

    def remove(self, name: str) -> bool:
        """Delete user `name` with its sessions and token; False if there was none."""
        with self.database.write() as connection:
            connection.execute(_END_SESSIONS, {"name": name})
            return bool(connection.execute(_REMOVE_USER, {"name": name}).rowcount)

    def set_role(self, name: str, role: Role) -> User:
        """Give `name` another role (effective at its next request: sessions read the role afresh)."""
        user = User(name, check_role(role))
        with self.database.write() as connection:
            if not connection.execute(_SET_ROLE, {"name": name, "role": user.role}).rowcount:
                raise NoSuchUser(f"no user named {name!r}")
        return user

    def set_password(self, name: str, password: str) -> None:
        """Change `name`'s password and sign it out everywhere: a password is changed when it may
        have leaked, and a session started with it should not outlive it. (The API token stays.)"""
        password_hash = self.hasher.hash(check_password(password))
        with self.database.write() as connection:
            if not connection.execute(_SET_PASSWORD, {"name": name, "password_hash": password_hash}).rowcount:
                raise NoSuchUser(f"no user named {name!r}")
            connection.execute(_END_SESSIONS, {"name": name})

    def get(self, name: str) -> User | None:
        with self.database.read() as connection:
            row = connection.execute(_GET, {"name": name}).first()
        return None if row is None else User(row[0], check_role(row[1]))

    def all(self) -> list[User]:
        with self.database.read() as connection:
            return [User(row[0], check_role(row[1])) for row in connection.execute(_ALL)]

    def count(self) -> int:
        with self.database.read() as connection:
            return int(connection.execute(_COUNT).scalar_one())

    def verify(self, name: str, password: str) -> User | None:
        """The user if `password` is `name`'s, else None (an unknown name too, after as much work
        as a known one, so the time taken does not tell which names exist). A hash made with
        older parameters is replaced by one with the current parameters."""
        with self.database.read() as connection:
            stored: str | None = connection.execute(_PASSWORD_HASH, {"name": name}).scalar_one_or_none()
        try:
            self.hasher.verify(stored or _dummy_hash(self.hasher), password)
        except (VerificationError, InvalidHashError):
            return None
        if stored is None:  # cannot happen short of a collision with a random password; but never a user
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.database.write() as connection:  # unless changed meanwhile
                connection.execute(_REHASH, {"name": name, "old": stored, "new": self.hasher.hash(password)})
        return self.get(name)

    # API tokens ---------------------------------------------------------------------------
    def new_token(self, name: str) -> str:
        """A new API token for `name`, replacing its previous one; shown to the caller once, only
        its digest is kept."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.write() as connection:
            if not connection.execute(_SET_TOKEN, {"name": name, "token_sha256": digest(token)}).rowcount:
                raise NoSuchUser(f"no user named {name!r}")
        return token

    def user_for_token(self, token: str) -> User | None:
        if not token.startswith(TOKEN_PREFIX):
            return None
        with self.database.read() as connection:
            row = connection.execute(_BY_TOKEN, {"token_sha256": digest(token)}).first()
        return None if row is None else User(row[0], check_role(row[1]))

    # sessions ----------------------------------------------------------------------------
    def start_session(self, name: str, lifetime: timedelta) -> str:
        """A new session id for `name`, valid for `lifetime`: a fresh one at every login, so an id
        planted before the login (session fixation) never becomes a signed-in one."""
        if self.get(name) is None:
            raise NoSuchUser(f"no user named {name!r}")
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self.database.write() as connection:
            connection.execute(_FORGET_EXPIRED_SESSIONS, {"now": _iso(now)})
            connection.execute(
                _START_SESSION,
                {"id_sha256": digest(session_id), "name": name, "created": _iso(now), "expires": _iso(now + lifetime)},
            )
        return session_id

    def session_user(self, session_id: str) -> User | None:
        """Who `session_id` signs in, with their current role; None if it is unknown or expired."""
        with self.database.read() as connection:
            row = connection.execute(
                _SESSION_USER, {"id_sha256": digest(session_id), "now": _iso(self.clock())}
            ).first()
        return None if row is None else User(row[0], check_role(row[1]))

    def end_session(self, session_id: str) -> None:
        with self.database.write() as connection:
            connection.execute(_END_SESSION, {"id_sha256": digest(session_id)})

    # login throttling --------------------------------------------------------------------
    def note_failure(self, name: str, address: str) -> None:
        """Remember a failed login for `name` from `address` (failures older than FAILURES_KEPT go)."""
        now = self.clock()
        with self.database.write() as connection:
            connection.execute(_FORGET_OLD_FAILURES, {"before": _iso(now - FAILURES_KEPT)})
            connection.execute(_NOTE_FAILURE, {**_failure_key(name, address), "at": _iso(now)})

    def recent_failures(self, name: str, address: str, window: timedelta) -> int:
        """Failed logins within `window`: those for `name` (from anywhere: one account guessed from
        many addresses) and those from `address` (for any name: many accounts guessed from one
        place), whichever count is larger."""
        key = _failure_key(name, address)
        since = _iso(self.clock() - window)
        with self.database.read() as connection:
            by_name = connection.execute(_FAILURES_BY_NAME, {"name": key["name"], "since": since}).scalar_one()
            by_address = connection.execute(
                _FAILURES_BY_ADDRESS, {"address": key["address"], "since": since}
            ).scalar_one()
        return max(int(by_name), int(by_address))

    def clear_failures(self, name: str, address: str) -> None:
        """Forget the failures of `name` from `address` (after it signed in there). Failures for
        that name from elsewhere, and for other names from that address, stay counted: signing in
        to one's own account must not reset the count of someone guessing another."""
        with self.database.write() as connection:
            connection.execute(_CLEAR_FAILURES, _failure_key(name, address))


def _failure_key(name: str, address: str) -> dict[str, str]:
    return {"name": name[:_FAILURE_FIELD_LENGTH], "address": address[:_FAILURE_FIELD_LENGTH]}
