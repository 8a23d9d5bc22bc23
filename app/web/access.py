"""Who may do what, and the checks every request goes through.

- Without any user (`osint user add` never run) the workbench is one analyst's, on loopback only
  (`osint serve` refuses other addresses then): everybody is the local admin.
- With users, a page needs a login (a session cookie: a random id, stored hashed, HttpOnly,
  SameSite=Strict, Secure behind TLS) or, for scripts, `Authorization: Bearer <API token>`.
- Viewers search, read and export; editors also manage watchlists, alerts and crawls; admins
  manage users.
- Every POST carries a CSRF token bound to the browser (a random cookie) and to the session: the
  `Editor`, `Admin` and `CsrfChecked` dependencies check it, and every POST route depends on one
  of them (tests/web/test_access.py walks the routes to be sure). A request authenticated by an
  API token has no cookies to ride on, so it needs none.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request

from app.output import safe
from app.web.workbench import workbench
from network.redaction import redact_text
from state.users import Role, User

SESSION_COOKIE = "osint_session"
CSRF_COOKIE = "osint_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
#: the analyst on their own machine when no user exists
LOCAL_ANALYST = User(name="local", role="admin")

audit_log = logging.getLogger("osint.audit")


class LoginRequired(Exception):
    """No (valid) session: a page redirects to the login form, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role does not allow it (or the CSRF token is missing or wrong): 403."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def logins_required(request: Request) -> bool:
    """Whether this request needs a signed-in user (asked of the store once per request)."""
    state = request.scope.setdefault("state", {})
    if "logins_required" not in state:
        state["logins_required"] = workbench(request).auth_required
    required: bool = state["logins_required"]
    return required


def current_user(request: Request) -> User | None:
    """The user this request acts as (None: nobody logged in), looked up once per request.
    Reads the user store: call it from sync code (FastAPI runs that in its thread pool)."""
    state = request.scope.setdefault("state", {})
    if "user" in state:
        found: User | None = state["user"]
        return found
    users = workbench(request).users
    user: User | None = None
    # a token or session that names a user proves users exist: the store is asked whether any does
    # only when neither does
    if (token := bearer_token(request)) is not None:
        user = users.user_for_token(token)
        state["by_token"] = user is not None
    elif (session := request.cookies.get(SESSION_COOKIE)) is not None:
        user = users.session_user(session)
    if user is None and not logins_required(request):
        user = LOCAL_ANALYST
        state["by_token"] = False
    state["user"] = user
    return user


def csrf_token(request: Request) -> str:
    """The token forms carry: an HMAC of the browser's CSRF cookie and its session, so a token
    read from one browser or session is worthless in another."""
    browser = request.scope.get("state", {}).get("csrf_cookie") or request.cookies.get(CSRF_COOKIE)
    if browser is None:  # first visit: templating sets this new cookie on the response
        browser = secrets.token_urlsafe(32)
        request.state.csrf_cookie = browser
    material = f"{browser}|{request.cookies.get(SESSION_COOKIE, '')}".encode()
    return hmac.new(workbench(request).secret, material, hashlib.sha256).hexdigest()


async def csrf_sent(request: Request) -> str | None:
    """The CSRF token a state-changing request carries (header, or form field): read here, the one
    async step, because reading a form body is; checked by `check_csrf`."""
    if request.method in SAFE_METHODS:
        return None
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent


def check_csrf(request: Request, sent: Annotated[str | None, Depends(csrf_sent)]) -> None:
    if request.method in SAFE_METHODS:
        return
    current_user(request)  # settles whether a valid API token came with the request
    if request.scope["state"].get("by_token"):
        return  # a valid API token, not a cookie: nothing a forged cross-site request could carry
    if request.cookies.get(CSRF_COOKIE) is None:
        raise Forbidden("The form's security token is missing: reload the page and try again.")
    if not sent or not hmac.compare_digest(sent, csrf_token(request)):
        raise Forbidden("The form's security token is missing or out of date: reload the page and try again.")


CsrfChecked = Annotated[None, Depends(check_csrf)]


def _requiring(role: Role) -> Callable[..., User]:
    def require(request: Request, _: CsrfChecked) -> User:
        user = current_user(request)
        if user is None:
            raise LoginRequired()
        if not user.may(role):
            raise Forbidden(f"This needs the {role} role; you are signed in as {user.name} ({user.role}).")
        return user

    return require


require_viewer = _requiring("viewer")
require_editor = _requiring("editor")
require_admin = _requiring("admin")

Viewer = Annotated[User, Depends(require_viewer)]
Editor = Annotated[User, Depends(require_editor)]
Admin = Annotated[User, Depends(require_admin)]


def audit(request: Request, user: User, action: str, **details: object) -> None:
    """A line in the audit trail for every state-changing action: who, from where, what; in the
    data directory's audit.log, and in the server's log (`osint -v serve` shows it)."""
    client = request.client.host if request.client else "-"
    shown = " ".join(f"{key}={value!r}" for key, value in details.items())
    line = redact_text(f"user={user.name} role={user.role} from={client} action={action} {shown}".rstrip())
    workbench(request).record_action(safe(line))
    audit_log.info("%s", line)
