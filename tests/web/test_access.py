"""Who may do what: logins, roles, CSRF, sessions, the Host check and the binding rule of `osint serve`."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.web.access import CSRF_COOKIE, SESSION_COOKIE, check_csrf
from app.web.application import create_app
from app.web.routes import ROUTERS
from app.web.serving import allowed_hosts
from index.sqlite.backend import SqliteBackend
from settings.config import load_config
from tests.crawl.helpers import OsintCli
from tests.serving import RunningCommand, http_get, serve_workbench
from tests.web.forms import form_token

PASSWORD = "a long enough password"


@pytest.fixture
def app(tmp_path: Path):
    application = create_app(load_config({"OSINT_DATA_DIR": str(tmp_path / "data")}))
    yield application
    application.state.workbench.close()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next: str = "/"):
    return client.post(
        "/login",
        data={"name": name, "password": password, "next": next, "csrf_token": form_token(client, "/login")},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )


def test_every_post_route_checks_the_csrf_token() -> None:
    def checks(dependant) -> bool:
        return dependant.call is check_csrf or any(checks(sub) for sub in dependant.dependencies)

    routes = [route for router in ROUTERS for route in router.routes]
    posts = [route for route in routes if isinstance(route, APIRoute) and route.methods - {"GET", "HEAD"}]
    assert len(posts) >= 6
    unchecked = [route.path for route in posts if not checks(route.dependant)]
    assert unchecked == []


def test_one_analyst_on_loopback_needs_no_login(client: TestClient) -> None:
    page = client.get("/api", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "local analyst" in page.text


def test_with_users_pages_need_a_login_and_the_api_a_token(app, client: TestClient) -> None:
    users = app.state.workbench.users
    users.add("vera", "viewer", PASSWORD)
    page = client.get("/runs?x=1", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=%2Fruns%3Fx%3D1"
    assert client.get("/api/search?q=kornet").status_code == 401
    token = users.new_token("vera")
    assert client.get("/api/search?q=kornet", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/search", headers={"Authorization": "Bearer osint_wrong"}).status_code == 401


def test_a_viewer_cannot_change_anything(app, client: TestClient) -> None:
    app.state.workbench.users.add("vera", "viewer", PASSWORD)
    assert sign_in(client, "vera").status_code == 303
    token = form_token(client, "/account")
    refused = client.post("/users", data={"name": "eve", "role": "admin", "password": PASSWORD, "csrf_token": token})
    assert refused.status_code == 403
    assert app.state.workbench.users.get("eve") is None


def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(app, client: TestClient) -> None:
    users = app.state.workbench.users
    users.add("ada", "admin", PASSWORD)
    assert sign_in(client, "ada").status_code == 303
    data = {"name": "eve", "role": "viewer", "password": PASSWORD}
    assert client.post("/users", data=data).status_code == 403
    assert client.post("/users", data={**data, "csrf_token": "0" * 64}).status_code == 403
    other_browser = TestClient(app, base_url="http://127.0.0.1")
    stolen = form_token(other_browser, "/login")  # a token of another browser is worthless here
    assert client.post("/users", data={**data, "csrf_token": stolen}).status_code == 403
    assert users.get("eve") is None
    assert client.post("/users", data={**data, "csrf_token": form_token(client, "/users")}).status_code == 200
    assert users.get("eve") is not None


def test_a_session_id_planted_before_login_is_not_the_one_after(app, client: TestClient) -> None:
    users = app.state.workbench.users
    users.add("ada", "admin", PASSWORD)
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
    answer = sign_in(client, "ada")
    assert answer.status_code == 303
    issued = answer.cookies[SESSION_COOKIE]
    assert issued != "planted-by-an-attacker"
    assert users.session_user("planted-by-an-attacker") is None
    assert users.session_user(issued).name == "ada"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


@pytest.mark.parametrize(
    "target, landing",
    [
        ("/runs?page=2", "/runs?page=2"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/\t/evil.example", "/"),
    ],
)
def test_login_never_redirects_off_site(app, client: TestClient, target: str, landing: str) -> None:
    app.state.workbench.users.add("ada", "admin", PASSWORD)
    answer = sign_in(client, "ada", next=target)
    assert answer.status_code == 303 and answer.headers["location"] == landing


def test_logins_are_throttled_after_repeated_failures(app, client: TestClient) -> None:
    app.state.workbench.users.add("ada", "admin", PASSWORD)
    for _ in range(5):
        assert sign_in(client, "ada", "wrong password!").status_code == 401
    throttled = sign_in(client, "ada")  # even the right password, for a while
    assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.text
    assert SESSION_COOKIE not in throttled.cookies


def test_signing_out_ends_the_session(app, client: TestClient) -> None:
    users = app.state.workbench.users
    users.add("ada", "admin", PASSWORD)
    session = sign_in(client, "ada").cookies[SESSION_COOKIE]
    client.post("/logout", data={"csrf_token": form_token(client, "/account")})
    assert users.session_user(session) is None
    assert CSRF_COOKIE in client.cookies


def test_a_foreign_host_name_is_refused_on_loopback(tmp_path: Path) -> None:
    """DNS rebinding: a page of evil.example, whose name now resolves to 127.0.0.1, talks to the
    workbench with Host: evil.example; only loopback names are answered."""
    with (
        SqliteBackend(tmp_path / "index.sqlite3") as backend,
        serve_workbench(backend, tmp_path / "data", allowed_hosts=allowed_hosts("127.0.0.1", ())) as base,
    ):
        assert http_get(f"{base}/healthz")[0] == 200
        request = urllib.request.Request(f"{base}/api/search?q=x", headers={"Host": "evil.example"})
        try:
            status = urllib.request.urlopen(request, timeout=10).status
        except urllib.error.HTTPError as refused:
            status = refused.code
        assert status == 400


def test_serving_beyond_loopback_needs_users(osint: OsintCli) -> None:
    refused = RunningCommand(osint, "serve", "--host", "0.0.0.0", "--port", "0")
    assert refused.process.wait(60) == 2
    assert "refusing to serve on 0.0.0.0 without users" in refused.output
    osint.run("user", "add", "ada", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    served = RunningCommand(osint, "serve", "--host", "0.0.0.0", "--port", "0")
    try:
        port = served.wait_for_stdout(r"at http://0\.0\.0\.0:(\d+)/", timeout=60)[1]
        status, _, _ = http_get(f"http://127.0.0.1:{port}/api/search?q=x")
        assert status == 401  # up, and asking for a login
    finally:
        served.stop()


def test_every_form_action_is_in_the_audit_log_with_its_user(app, client: TestClient, tmp_path: Path) -> None:
    app.state.workbench.users.add("ada", "admin", PASSWORD)
    sign_in(client, "ada")
    client.post(
        "/users",
        data={"name": "bob", "role": "viewer", "password": PASSWORD, "csrf_token": form_token(client, "/users")},
    )
    lines = (tmp_path / "data" / "audit.log").read_text().splitlines()
    assert any("user=ada role=admin" in line and "action=login" in line for line in lines)
    assert any("user=ada" in line and "action=user.add" in line and "name='bob'" in line for line in lines)


def test_served_beyond_loopback_logins_stay_required_without_users(tmp_path: Path) -> None:
    """Removing the last user of a team's server must not open it to everyone."""
    application = create_app(load_config({"OSINT_DATA_DIR": str(tmp_path / "data")}), logins_mandatory=True)
    try:
        with TestClient(application, base_url="http://127.0.0.1") as client:
            assert client.get("/api/search?q=x").status_code == 401
            answer = client.get("/runs", headers={"Accept": "text/html"}, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    finally:
        application.state.workbench.close()


def test_a_valid_api_token_needs_no_csrf_token_but_any_bearer_header_does_not_skip_it(app, client: TestClient) -> None:
    users = app.state.workbench.users
    users.add("ada", "admin", PASSWORD)
    token = users.new_token("ada")
    data = {"name": "bob", "role": "viewer", "password": PASSWORD}
    assert client.post("/users", data=data, headers={"Authorization": f"Bearer {token}"}).status_code in (200, 303)
    assert users.get("bob") is not None
    client.cookies.clear()
    forged = client.post("/logout", headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 403


def test_an_oversized_body_is_refused_before_it_is_read(client: TestClient) -> None:
    answer = client.post(
        "/login", content=b"name=" + b"a" * (2 << 20), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 413


def test_ipv6_loopback_names_keep_their_brackets() -> None:
    assert "[::1]" in allowed_hosts("::1", ())
    assert allowed_hosts("127.0.0.1", ("workbench.example",))[-1] == "workbench.example"
    assert allowed_hosts("0.0.0.0", ()) == ["*"]
