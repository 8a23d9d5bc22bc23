"""The workbench as an ASGI app (FastAPI): pages rendered with Jinja2, a JSON API under /api
documented by OpenAPI (/api/openapi.json), static files vendored into the package.

`create_app` builds it for a configuration; `osint serve` runs it under uvicorn through
`app_from_environment`, which each worker process calls for itself."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from app.logs import configure_logging
from app.web.access import Forbidden, LoginRequired, Viewer
from app.web.routes import ROUTERS
from app.web.security import BodyLimit, SecurityHeaders
from app.web.templating import render, url
from app.web.workbench import Workbench
from index.backend import IndexBackend
from settings.config import Config, load_config

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
#: requests of one worker process answered at the same time (the others queue)
ANSWERING_THREADS = 4
#: set by `osint serve` for its worker processes: the Host names the app answers to (comma-separated)
ALLOWED_HOSTS_VARIABLE = "OSINT_WEB_ALLOWED_HOSTS"
#: set by `osint serve` beyond loopback: every page needs a login, even if the last user is removed
LOGINS_MANDATORY_VARIABLE = "OSINT_WEB_LOGINS_MANDATORY"


def create_app(
    config: Config | None = None,
    backend: IndexBackend | None = None,
    allowed_hosts: Sequence[str] | None = None,
    logins_mandatory: bool = False,
) -> FastAPI:
    """`allowed_hosts`: the Host header values to answer (DNS rebinding: a hostile site whose name
    resolves to 127.0.0.1 must not reach a loopback workbench); None answers any (tests)."""
    bench = Workbench(config or load_config(), backend, logins_mandatory=logins_mandatory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Pages are index and state calls, CPU-bound under the GIL: a few threads at a time answer
        # them while the rest wait their turn on the event loop, instead of forty (anyio's default)
        # sharing the CPU so that every answer is slow, each thread with a cold index connection.
        to_thread.current_default_thread_limiter().total_tokens = ANSWERING_THREADS
        yield
        bench.close()

    app = FastAPI(
        title="OSINT workbench",
        summary="Search, read and export what the crawler collected; manage watchlists, runs and alerts.",
        openapi_url=None,  # served below, to signed-in users only
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: /api lists the endpoints instead
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.workbench = bench
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi(user: Viewer) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    if allowed_hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts))
    _handle_errors(app)
    return app


def app_from_environment() -> FastAPI:
    """The factory uvicorn calls in each worker: configuration from the environment, as every
    command; a worker is a new process (spawned), so it sets up its logging (credentials masked) too."""
    if not logging.root.handlers:
        configure_logging(0)
    hosts = os.environ.get(ALLOWED_HOSTS_VARIABLE)
    return create_app(
        allowed_hosts=hosts.split(",") if hosts else None,
        logins_mandatory=os.environ.get(LOGINS_MANDATORY_VARIABLE) == "1",
    )


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "text/html")


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "sign in or send an API token"}, 401, headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(url("/login", next=target), status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        log.warning("refused %s %s: %s", request.method, request.url.path, exc.reason)
        if _wants_json(request):
            return JSONResponse({"detail": exc.reason}, 403)
        return await run_in_threadpool(
            render, request, "error.html", {"title": "Not allowed", "message": exc.reason}, 403
        )

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        title = {404: "Not found", 503: "Unavailable for a moment"}.get(
            exc.status_code, "Something is wrong with this request"
        )
        message = exc.detail if exc.status_code != 404 else "There is nothing at this address."
        return await run_in_threadpool(
            render, request, "error.html", {"title": title, "message": message}, exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.errors()}, 422)
        fields = ", ".join(".".join(str(part) for part in error["loc"][1:]) for error in exc.errors())
        message = f"Some values of this request are not usable: {fields or 'the request'}."
        return await run_in_threadpool(render, request, "error.html", {"title": "Bad request", "message": message}, 400)
