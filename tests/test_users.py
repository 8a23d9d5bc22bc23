"""Workbench users (state/users.py) and `osint user`: hashed secrets, sessions, tokens, throttling."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from argon2 import PasswordHasher

from state.users import NoSuchUser, User, UserExists, UserStore
from tests.crawl.helpers import OsintCli

PASSWORD = "correct horse battery"
#: argon2 with small parameters: these tests check what is stored and when, not argon2's cost
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Clock:
    """The store's idea of now, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 14, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class CountingHasher(PasswordHasher):
    """The real hasher, counting the verifications it does."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[UserStore]:
    users = UserStore(tmp_path, hasher=CHEAP, clock=clock)
    yield users
    users.close()


def stored_bytes(data_dir: Path) -> bytes:
    """Everything the store's database files hold (the WAL included)."""
    return b"".join(path.read_bytes() for path in sorted(data_dir.glob("users.sqlite3*")))


def password_hash(data_dir: Path, name: str) -> str:
    with sqlite3.connect(data_dir / "users.sqlite3") as connection:
        return str(connection.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()[0])


# the store -------------------------------------------------------------------------------------


def test_roles_nest() -> None:
    admin, editor, viewer = User("a", "admin"), User("e", "editor"), User("v", "viewer")
    assert admin.may("admin") and admin.may("editor") and admin.may("viewer")
    assert not editor.may("admin") and editor.may("editor") and editor.may("viewer")
    assert not viewer.may("editor") and viewer.may("viewer")


def test_secrets_are_stored_as_hashes_only(tmp_path: Path, store: UserStore) -> None:
    store.add("analyst", "editor", PASSWORD)
    token = store.new_token("analyst")
    session = store.start_session("analyst", timedelta(hours=1))
    store.close()
    files = stored_bytes(tmp_path)
    assert b"analyst" in files and b"$argon2id$" in files
    for secret in (PASSWORD, token, session):
        assert secret.encode() not in files
    assert hashlib.sha256(token.encode()).hexdigest().encode() in files
    assert hashlib.sha256(session.encode()).hexdigest().encode() in files
    assert password_hash(tmp_path, "analyst").startswith("$argon2id$")


def test_verify_right_wrong_and_unknown(tmp_path: Path) -> None:
    hasher = CountingHasher()
    store = UserStore(tmp_path, hasher=hasher)
    try:
        store.add("analyst", "viewer", PASSWORD)
        assert store.verify("analyst", PASSWORD) == User("analyst", "viewer")
        assert store.verify("analyst", PASSWORD + "!") is None
        assert store.verify("Analyst", PASSWORD) is None  # names are exact
        before = hasher.verified
        assert store.verify("nobody", PASSWORD) is None
        assert hasher.verified == before + 1  # an unknown name costs a verification too
    finally:
        store.close()


def test_a_hash_with_old_parameters_is_replaced_at_the_next_login(tmp_path: Path) -> None:
    cheap = UserStore(tmp_path, hasher=CHEAP)
    cheap.add("analyst", "viewer", PASSWORD)
    cheap.close()
    old = password_hash(tmp_path, "analyst")
    assert "m=1024,t=1,p=1" in old
    current = UserStore(tmp_path)  # argon2's recommended parameters
    try:
        assert current.verify("analyst", PASSWORD + "x") is None
        assert password_hash(tmp_path, "analyst") == old  # only a right password is rehashed
        assert current.verify("analyst", PASSWORD) == User("analyst", "viewer")
        new = password_hash(tmp_path, "analyst")
        assert new != old and not current.hasher.check_needs_rehash(new)
        assert current.verify("analyst", PASSWORD) == User("analyst", "viewer")
    finally:
        current.close()


def test_names_passwords_and_roles_are_checked(store: UserStore) -> None:
    for name in ("", "x" * 65, "with space", "semi;colon", "ünïcode", "line\n"):
        with pytest.raises(ValueError, match="user name is 1 to 64"):
            store.add(name, "viewer", PASSWORD)
    with pytest.raises(ValueError, match="at least 10 characters"):
        store.add("analyst", "viewer", "short")
    with pytest.raises(ValueError, match="role is one of viewer, editor, admin"):
        store.add("analyst", "root", PASSWORD)  # type: ignore[arg-type]
    assert store.count() == 0
    assert store.add("a.b_c-1", "admin", PASSWORD) == User("a.b_c-1", "admin")
    with pytest.raises(UserExists):
        store.add("a.b_c-1", "viewer", PASSWORD)
    with pytest.raises(ValueError, match="at least 10 characters"):
        store.set_password("a.b_c-1", "short")


def test_users_are_listed_changed_and_removed(store: UserStore) -> None:
    store.add("zed", "viewer", PASSWORD)
    store.add("amy", "admin", PASSWORD)
    assert store.all() == [User("amy", "admin"), User("zed", "viewer")]
    assert store.count() == 2 and [user.role for user in store.all()].count("admin") == 1
    assert store.set_role("zed", "editor") == User("zed", "editor")
    assert store.get("zed") == User("zed", "editor")
    with pytest.raises(NoSuchUser):
        store.set_role("nobody", "editor")
    with pytest.raises(NoSuchUser):
        store.set_password("nobody", PASSWORD)
    assert store.remove("zed") and not store.remove("zed")
    assert store.get("zed") is None and store.count() == 1


def test_a_new_token_replaces_the_old_one(store: UserStore) -> None:
    store.add("script", "viewer", PASSWORD)
    first = store.new_token("script")
    assert first.startswith("osint_") and len(first) > 40
    assert store.user_for_token(first) == User("script", "viewer")
    second = store.new_token("script")
    assert second != first
    assert store.user_for_token(first) is None
    assert store.user_for_token(second) == User("script", "viewer")
    assert store.user_for_token("osint_" + "A" * 43) is None and store.user_for_token("") is None
    with pytest.raises(NoSuchUser):
        store.new_token("nobody")
    store.remove("script")
    assert store.user_for_token(second) is None


def test_sessions_expire_and_end(store: UserStore, clock: Clock) -> None:
    store.add("analyst", "viewer", PASSWORD)
    first = store.start_session("analyst", timedelta(hours=1))
    second = store.start_session("analyst", timedelta(hours=2))
    assert first != second and len(first) >= 43  # 32 random bytes, a new id at every login
    assert store.session_user(first) == User("analyst", "viewer")
    assert store.session_user("made-up") is None
    store.set_role("analyst", "editor")
    assert store.session_user(first) == User("analyst", "editor")  # the role as it is now
    clock.advance(timedelta(hours=1))
    assert store.session_user(first) is None  # expired
    assert store.session_user(second) == User("analyst", "editor")
    store.end_session(second)
    assert store.session_user(second) is None
    with pytest.raises(NoSuchUser):
        store.start_session("nobody", timedelta(hours=1))


def test_a_new_password_ends_the_sessions(store: UserStore) -> None:
    store.add("analyst", "viewer", PASSWORD)
    session = store.start_session("analyst", timedelta(hours=1))
    token = store.new_token("analyst")
    store.set_password("analyst", "a different passphrase")
    assert store.session_user(session) is None
    assert store.verify("analyst", PASSWORD) is None
    assert store.verify("analyst", "a different passphrase") == User("analyst", "viewer")
    assert store.user_for_token(token) == User("analyst", "viewer")  # the token is replaced on its own


def test_removing_a_user_ends_its_sessions(store: UserStore) -> None:
    store.add("analyst", "viewer", PASSWORD)
    session = store.start_session("analyst", timedelta(hours=1))
    store.remove("analyst")
    store.add("analyst", "admin", PASSWORD)  # a new account of the same name
    assert store.session_user(session) is None


def test_failures_are_counted_by_name_and_by_address(store: UserStore, clock: Clock) -> None:
    window = timedelta(minutes=15)
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):  # one account guessed from many places
        store.note_failure("analyst", address)
    assert store.recent_failures("analyst", "198.51.100.7", window) == 3
    for name in ("a", "b", "c", "d"):  # many accounts guessed from one place
        store.note_failure(name, "203.0.113.9")
    assert store.recent_failures("someone", "203.0.113.9", window) == 4
    assert store.recent_failures("analyst", "203.0.113.9", window) == 4  # the larger count
    assert store.recent_failures("someone", "198.51.100.7", window) == 0
    clock.advance(window + timedelta(seconds=1))
    assert store.recent_failures("analyst", "203.0.113.9", window) == 0
    assert store.recent_failures("analyst", "203.0.113.9", timedelta(hours=1)) == 4


def test_clearing_failures_after_a_login(store: UserStore) -> None:
    window = timedelta(minutes=15)
    store.note_failure("analyst", "192.0.2.1")
    store.note_failure("analyst", "192.0.2.1")
    store.note_failure("analyst", "192.0.2.66")  # someone else, elsewhere
    store.note_failure("victim", "192.0.2.1")
    store.clear_failures("analyst", "192.0.2.1")
    assert store.recent_failures("analyst", "198.51.100.1", window) == 1
    assert store.recent_failures("nobody", "192.0.2.1", window) == 1  # the guess at another account stays


def test_old_failures_are_forgotten(store: UserStore, clock: Clock) -> None:
    store.note_failure("analyst", "192.0.2.1")
    clock.advance(timedelta(days=2))
    store.note_failure("analyst", "192.0.2.2")
    assert store.recent_failures("analyst", "192.0.2.3", timedelta(days=30)) == 1


def test_the_store_reopens_with_its_users(tmp_path: Path) -> None:
    first = UserStore(tmp_path, hasher=CHEAP)
    first.add("analyst", "admin", PASSWORD)
    session = first.start_session("analyst", timedelta(hours=1))
    first.close()
    again = UserStore(tmp_path, hasher=CHEAP)
    try:
        assert again.get("analyst") == User("analyst", "admin")
        assert again.session_user(session) == User("analyst", "admin")
    finally:
        again.close()


# the command line ------------------------------------------------------------------------------


def users_listed(osint: OsintCli) -> list[dict[str, str]]:
    listed: list[dict[str, str]] = json.loads(osint.run("user", "list", "--json").stdout)
    return listed


def users_in(osint: OsintCli) -> UserStore:
    return UserStore(osint.data_dir, hasher=CHEAP)


@pytest.mark.parametrize("command", ["add", "list", "remove", "role", "password", "token"])
def test_help_for_every_user_command(osint: OsintCli, command: str) -> None:
    assert osint.run("user", command, "--help").stdout.startswith(f"Usage: osint user {command}")


def test_user_commands(osint: OsintCli) -> None:
    osint.run("user", "add", "analyst", "--role", "editor", "--password-stdin", input=PASSWORD + "\n")
    prompted = osint.run("user", "add", "boss", "--role", "admin", input=f"{PASSWORD}2\n{PASSWORD}2\n")
    assert "User 'boss' added as admin." in prompted.stdout
    assert PASSWORD not in prompted.stdout + prompted.stderr  # the prompt does not echo
    assert users_listed(osint) == [{"name": "analyst", "role": "editor"}, {"name": "boss", "role": "admin"}]
    assert "analyst" in osint.run("user", "list").stdout
    store = users_in(osint)
    try:
        assert store.verify("analyst", PASSWORD) == User("analyst", "editor")
        assert store.verify("boss", PASSWORD + "2") == User("boss", "admin")
        session = store.start_session("analyst", timedelta(hours=1))

        osint.run("user", "role", "analyst", "viewer")
        assert store.get("analyst") == User("analyst", "viewer")

        osint.run("user", "password", "analyst", "--password-stdin", input="a brand new passphrase\n")
        assert store.verify("analyst", "a brand new passphrase") == User("analyst", "viewer")
        assert store.session_user(session) is None

        first = osint.run("user", "token", "analyst")
        token = first.stdout.strip()
        assert token.startswith("osint_") and "replaces the previous one" in first.stderr
        assert store.user_for_token(token) == User("analyst", "viewer")
        second = osint.run("user", "token", "analyst").stdout.strip()
        assert store.user_for_token(token) is None and store.user_for_token(second) == User("analyst", "viewer")

        assert "User 'analyst' removed." in osint.run("user", "remove", "analyst").stdout
        assert store.get("analyst") is None
    finally:
        store.close()
    assert users_listed(osint) == [{"name": "boss", "role": "admin"}]


def test_user_commands_refuse_bad_usage_with_exit_2(osint: OsintCli) -> None:
    def refused(*args: str, input: str | None = None) -> str:
        result = osint.run("user", *args, check=False, input=input)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        return str(result.stderr)

    assert "'root' is not one of" in refused("add", "analyst", "--role", "root", "--password-stdin", input=PASSWORD)
    assert "--role" in refused("add", "analyst", "--password-stdin", input=PASSWORD)
    assert "user name is 1 to 64" in refused("add", "bad name", "--role", "viewer", "--password-stdin", input=PASSWORD)
    assert "at least 10 characters" in refused(
        "add", "analyst", "--role", "viewer", "--password-stdin", input="short\n"
    )
    osint.run("user", "add", "analyst", "--role", "viewer", "--password-stdin", input=PASSWORD)
    assert "exists already" in refused("add", "analyst", "--role", "viewer", "--password-stdin", input=PASSWORD)
    assert "is not one of" in refused("role", "analyst", "superuser")
    for command in (("role", "nobody", "admin"), ("remove", "nobody"), ("token", "nobody")):
        assert "no user named 'nobody'" in refused(*command)
    assert "no user named 'nobody'" in refused("password", "nobody", "--password-stdin", input=PASSWORD)
    assert users_listed(osint) == [{"name": "analyst", "role": "viewer"}]


def test_a_short_prompted_password_is_asked_again(osint: OsintCli) -> None:
    typed = f"short\n{PASSWORD}\n{PASSWORD}\n"
    result = osint.run("user", "add", "analyst", "--role", "viewer", input=typed)
    assert "at least 10 characters" in result.stderr
    store = users_in(osint)
    try:
        assert store.verify("analyst", PASSWORD) == User("analyst", "viewer")
    finally:
        store.close()
