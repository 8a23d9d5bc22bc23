"""Signing in and out, one's own API token, and (admins) the users.

Login is throttled per name and per address; a new session id is made at every login (an id
planted before it is worthless: no session fixation); `next` only ever leads to a path of this
app (no open redirect)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.web.access import SESSION_COOKIE, Admin, CsrfChecked, Forbidden, Viewer, audit, current_user, logins_required
from app.web.templating import render
from app.web.workbench import workbench
from state.users import ROLES, NoSuchUser, User, UserExists, check_name, check_password, check_role

router = APIRouter(include_in_schema=False)

SESSION_LIFETIME = timedelta(hours=12)
#: failed logins (by that name, or from that address) within the window before logins are refused
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)


def local_path(target: str | None) -> str:
    """`target` if it is a path of this app, else "/": never "//host", "/\\host" or "https://…"."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return "/"
    if any(ord(character) < 32 for character in target):
        return "/"
    return target


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if not logins_required(request):
        return RedirectResponse(local_path(next), status_code=303)
    return render(request, "login.html", {"next": local_path(next), "name": "", "error": None})


@router.post("/login")
def login(
    request: Request,
    _: CsrfChecked,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    bench = workbench(request)
    target = local_path(next)
    address = request.client.host if request.client else "-"
    if bench.users.recent_failures(name, address, FAILURE_WINDOW) >= MAX_FAILURES:
        error = f"Too many failed sign-ins; try again in {FAILURE_WINDOW.seconds // 60} minutes."
        return render(request, "login.html", {"next": target, "name": name, "error": error}, 429)
    # counted as failed before the password is checked, so that attempts sent in parallel all see
    # each other; a success takes it back
    bench.users.note_failure(name, address)
    user = bench.users.verify(name, password)
    if user is None:
        error = "That name and password do not match."
        return render(request, "login.html", {"next": target, "name": name, "error": error}, 401)
    bench.users.clear_failures(name, address)
    planted = request.cookies.get(SESSION_COOKIE)
    if planted:
        bench.users.end_session(planted)
    session = bench.users.start_session(user.name, SESSION_LIFETIME)
    audit(request, user, "login")
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request, _: CsrfChecked) -> Response:
    session = request.cookies.get(SESSION_COOKIE)
    user = current_user(request)
    if session:
        workbench(request).users.end_session(session)
    if user is not None:
        audit(request, user, "logout")
    response = RedirectResponse("/login" if logins_required(request) else "/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, user: Viewer) -> Response:
    return render(request, "account.html", {"token": None})


@router.post("/account/token")
def new_token(request: Request, user: Viewer) -> Response:
    """A new API token for the signed-in user (the old one stops working), shown this once."""
    if not logins_required(request):
        return render(
            request, "account.html", {"token": None, "error": "API tokens belong to users: add one first."}, 400
        )
    token = workbench(request).users.new_token(user.name)
    audit(request, user, "token.new")
    return render(request, "account.html", {"token": token})


@router.get("/users")
def users(request: Request, user: Admin) -> Response:
    return _users_page(request)


def _users_page(request: Request, error: str | None = None, field: str | None = None, status: int = 200) -> Response:
    listed = workbench(request).users.all()
    return render(request, "users.html", {"users": listed, "roles": ROLES, "error": error, "field": field}, status)


@router.post("/users")
def add_user(
    request: Request,
    user: Admin,
    name: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    checks = (("name", check_name, name), ("role", check_role, role), ("password", check_password, password))
    for field, check, value in checks:
        try:
            check(value)
        except ValueError as exc:
            return _users_page(request, str(exc), field, 400)
    try:
        workbench(request).users.add(name, check_role(role), password)
    except UserExists:
        return _users_page(request, f"a user named {name!r} exists already", "name", 400)
    audit(request, user, "user.add", name=name, role=role)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/role")
def change_role(request: Request, user: Admin, name: str, role: Annotated[str, Form()]) -> Response:
    try:
        checked = check_role(role)
    except ValueError as exc:
        return _users_page(request, str(exc), "role", 400)
    _refuse_self(user, name, "change your own role")
    try:
        workbench(request).users.set_role(name, checked)
    except NoSuchUser:
        return _users_page(request, f"there is no user named {name!r}", "name", 404)
    audit(request, user, "user.role", name=name, role=role)
    return RedirectResponse("/users", status_code=303)


@router.post("/users/{name}/delete")
def remove_user(request: Request, user: Admin, name: str) -> Response:
    _refuse_self(user, name, "remove yourself")
    if not workbench(request).users.remove(name):
        return _users_page(request, f"there is no user named {name!r}", "name", 404)
    audit(request, user, "user.remove", name=name)
    return RedirectResponse("/users", status_code=303)


def _refuse_self(user: User, name: str, what: str) -> None:
    if user.name == name:
        raise Forbidden(f"An admin cannot {what} here (so that one admin always remains); use `osint user`.")
