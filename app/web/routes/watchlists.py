"""Watchlists: the files of the watchlists directory, one watchlist's sources with their last run,
next run and health, forms to create a watchlist and to add, edit and remove sources (the edits of
`osint watchlist new|add-source|remove-source`, which keep the file's comments and layout), and
"crawl now" with a page that follows the crawl to its report. Their JSON is in watchlists_api.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web.access import Editor, Viewer, audit
from app.web.crawl_jobs import CrawlBusy, CrawlProgress, CrawlSummary
from app.web.links import run_href, watchlist_href
from app.web.templating import render, url
from app.web.watchlist_forms import (
    HEADER_FIELDS,
    KIND_HELP,
    KINDS,
    SOURCE_FIELDS,
    WATCHLIST_FIELDS,
    FormErrors,
    edit_errors,
    form_values,
    parse_header_form,
    parse_source_form,
    parse_watchlist_form,
    source_form,
    watchlist_form,
)
from app.web.watchlist_view import problems_shown, source_rows, summaries, summary, watchlist_files
from app.web.workbench import Workbench, workbench
from scheduling.health import UNHEALTHY_AFTER
from state.ledger import OUTCOMES
from state.users import User
from watchlists.edit import add_source, create_watchlist, remove_source, update_header, update_source
from watchlists.model import SOURCE_ID, Source, Watchlist, WatchlistError, load_watchlist

router = APIRouter()


async def submitted_form(request: Request) -> dict[str, str]:
    """The form's text fields (the access check has read the form already: Starlette keeps it).
    Whole: a field longer than watchlist_forms.MAX_FIELD is refused beside it (`too_long`)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


Submitted = Annotated[dict[str, str], Depends(submitted_form)]


def _logged(value: str) -> str:
    """A submitted value as the audit log gets it: enough to recognise it, not a whole long field."""
    return value if len(value) <= 200 else value[:200] + "…"


def watchlists_directory(bench: Workbench) -> Path:
    return Path(bench.config.watchlists_dir)


def watchlist_path(bench: Workbench, key: str) -> Path:
    """The file of watchlist `key`: only a name the directory lists (404 otherwise)."""
    path = watchlist_files(watchlists_directory(bench)).get(key)
    if path is None:
        raise HTTPException(404, f"There is no watchlist {key!r}: the watchlists page lists them.")
    return path


def _loaded(path: Path) -> Watchlist:
    try:
        return load_watchlist(path)
    except WatchlistError as exc:
        raise HTTPException(409, "This watchlist file has problems: " + "; ".join(problems_shown(exc, path))) from None


def _crawl_href(key: str, job_id: str) -> str:
    return f"{watchlist_href(key)}/crawls/{job_id}"


# the list and a new watchlist ------------------------------------------------------------------


def _list_page(
    request: Request,
    user: User,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> HTMLResponse:
    bench = workbench(request)
    return render(
        request,
        "watchlists.html",
        {
            "summaries": [found for found, _ in summaries(watchlists_directory(bench))],
            # where the server keeps its files is for those who edit them, not for every reader
            "directory": bench.config.watchlists_dir if user.may("editor") else None,
            "values": values or watchlist_form(),
            "errors": errors or FormErrors(),
            "watchlist_href": watchlist_href,
        },
        status,
    )


@router.get("/watchlists", response_class=HTMLResponse, include_in_schema=False)
def watchlists(request: Request, user: Viewer) -> HTMLResponse:
    return _list_page(request, user)


@router.post("/watchlists", include_in_schema=False)
def create(request: Request, user: Editor, submitted: Submitted) -> Response:
    values = form_values(submitted, WATCHLIST_FIELDS)
    audit(request, user, "watchlist.create", watchlist=_logged(values["name"]), file=_logged(values["file"]))
    bench = workbench(request)
    directory = watchlists_directory(bench)
    files = watchlist_files(directory)
    names = {found.name: found.file for found, _ in summaries(directory) if found.name}
    new, errors = parse_watchlist_form(values, {path.name for path in files.values()}, names)
    if new is None:
        return _list_page(request, user, values, errors, 400)
    path = directory / new.file_name
    try:
        create_watchlist(path, new.name, new.owner, new.description, new.schedule)
    except (WatchlistError, FileExistsError, OSError, ValueError) as exc:
        return _list_page(request, user, values, edit_errors(exc, path, WATCHLIST_FIELDS), 400)
    return RedirectResponse(url(watchlist_href(new.file), created="1"), status_code=303)


# one watchlist ---------------------------------------------------------------------------------


def _watchlist_page(
    request: Request,
    key: str,
    add_values: dict[str, str] | None = None,
    add_errors: FormErrors | None = None,
    crawl_error: str = "",
    status: int = 200,
    notice: str = "",
) -> HTMLResponse:
    bench = workbench(request)
    path = watchlist_path(bench, key)
    found, watchlist = summary(key, path)
    rows = []
    jobs: list[CrawlSummary] = []
    if watchlist is not None:
        rows = source_rows(watchlist, bench.ledger, bench.schedule, bench.crawls.busy_sources(watchlist))
        jobs = bench.crawls.jobs(path.name, limit=5)
    return render(
        request,
        "watchlist.html",
        {
            "key": key,
            "href": watchlist_href(key),
            "summary": found,
            "watchlist": watchlist,
            "rows": rows,
            "jobs": jobs,
            "values": add_values or source_form(),
            "errors": add_errors or FormErrors(),
            "crawl_error": crawl_error,
            "notice": notice,
            "kinds": KINDS,
            "kind_help": KIND_HELP,
            "run_href": run_href,
            "crawl_href": lambda job_id: _crawl_href(key, job_id),
            "unhealthy_after": UNHEALTHY_AFTER,
        },
        status,
    )


@router.get("/watchlists/{key}", response_class=HTMLResponse, include_in_schema=False)
def watchlist_page(
    request: Request,
    key: str,
    user: Viewer,
    created: str = "",
    added: str = "",
    saved: str = "",
    removed: str = "",
    saved_header: str = "",
) -> HTMLResponse:
    # only ids are echoed back: a link cannot make the page say anything else
    notice = ""
    if created:
        notice = "Watchlist created: add its first source below."
    elif saved_header == "renamed":
        notice = "Watchlist saved. Its runs so far stay under its old name; new runs use the new one."
    elif saved_header:
        notice = "Watchlist saved."
    elif SOURCE_ID.match(added):
        notice = f"Source {added} added."
    elif SOURCE_ID.match(saved):
        notice = f"Source {saved} saved."
    elif SOURCE_ID.match(removed):
        notice = f"Source {removed} removed; what it collected stays in the index."
    return _watchlist_page(request, key, notice=notice)


def _header_page(
    request: Request, key: str, values: dict[str, str], errors: FormErrors, status: int = 200
) -> HTMLResponse:
    path = watchlist_path(workbench(request), key)
    context = {"key": key, "href": watchlist_href(key), "file": path.name, "values": values, "errors": errors}
    return render(request, "watchlist_edit.html", context, status)


@router.get("/watchlists/{key}/edit", response_class=HTMLResponse, include_in_schema=False)
def edit_header_form(request: Request, key: str, user: Viewer) -> HTMLResponse:
    watchlist = _loaded(watchlist_path(workbench(request), key))
    return _header_page(request, key, watchlist_form(watchlist), FormErrors())


@router.post("/watchlists/{key}/edit", include_in_schema=False)
def save_header(request: Request, key: str, user: Editor, submitted: Submitted) -> Response:
    """Save the watchlist's own fields (only the lines of what changed are rewritten)."""
    values = form_values(submitted, HEADER_FIELDS)
    audit(request, user, "watchlist.update", watchlist=key, name=_logged(values["name"]))
    bench = workbench(request)
    path = watchlist_path(bench, key)
    current = _loaded(path)
    others = {
        found.name: found.file for found, _ in summaries(watchlists_directory(bench)) if found.name and found.key != key
    }
    header, errors = parse_header_form(values, others)
    if header is not None:
        try:
            update_header(path, header.name, header.owner, header.description, header.schedule)
        except (WatchlistError, KeyError, OSError, ValueError) as exc:
            errors = edit_errors(exc, path, HEADER_FIELDS)
    if errors:
        return _header_page(request, key, values, errors, 400)
    renamed = header is not None and header.name != current.name
    return RedirectResponse(url(watchlist_href(key), saved_header="renamed" if renamed else "1"), status_code=303)


@router.post("/watchlists/{key}/sources", include_in_schema=False)
def add(request: Request, key: str, user: Editor, submitted: Submitted) -> Response:
    values = form_values(submitted, SOURCE_FIELDS)
    audit(request, user, "watchlist.add_source", watchlist=key, source=_logged(values["id"]))
    path = watchlist_path(workbench(request), key)
    source, errors = parse_source_form(values)
    if source is not None:
        try:
            add_source(path, source)
        except (WatchlistError, KeyError, OSError, ValueError) as exc:
            errors = edit_errors(exc, path)
    if errors:
        return _watchlist_page(request, key, values, errors, status=400)
    assert source is not None
    return RedirectResponse(url(watchlist_href(key), added=source.id) + f"#source-{source.id}", status_code=303)


def _source(path: Path, source_id: str) -> Source:
    try:
        return _loaded(path).source(source_id)
    except KeyError:
        raise HTTPException(404, f"There is no source {source_id!r} in {path.name}.") from None


def _edit_page(
    request: Request, key: str, source_id: str, values: dict[str, str], errors: FormErrors, status: int = 200
) -> HTMLResponse:
    path = watchlist_path(workbench(request), key)
    return render(
        request,
        "watchlist_source.html",
        {
            "key": key,
            "href": watchlist_href(key),
            "file": path.name,
            "source_id": source_id,
            "values": values,
            "errors": errors,
            "kinds": KINDS,
            "kind_help": KIND_HELP,
        },
        status,
    )


@router.get("/watchlists/{key}/sources/{source_id}", response_class=HTMLResponse, include_in_schema=False)
def edit_form(request: Request, key: str, source_id: str, user: Viewer) -> HTMLResponse:
    source = _source(watchlist_path(workbench(request), key), source_id)
    return _edit_page(request, key, source_id, source_form(source), FormErrors())


@router.post("/watchlists/{key}/sources/{source_id}", include_in_schema=False)
def save(request: Request, key: str, source_id: str, user: Editor, submitted: Submitted) -> Response:
    """Save an edited source where it stands in the file (only the keys that changed are rewritten)."""
    audit(request, user, "watchlist.update_source", watchlist=key, source=source_id)
    path = watchlist_path(workbench(request), key)
    _source(path, source_id)
    values = {**form_values(submitted, SOURCE_FIELDS), "id": source_id}  # the id names the source's history
    source, errors = parse_source_form(values)
    if source is not None:
        try:
            update_source(path, source_id, source)
        except (WatchlistError, KeyError, OSError, ValueError) as exc:
            errors = edit_errors(exc, path)
    if errors:
        return _edit_page(request, key, source_id, values, errors, 400)
    return RedirectResponse(url(watchlist_href(key), saved=source_id) + f"#source-{source_id}", status_code=303)


@router.get("/watchlists/{key}/sources/{source_id}/remove", response_class=HTMLResponse, include_in_schema=False)
def confirm_remove(request: Request, key: str, source_id: str, user: Viewer) -> HTMLResponse:
    path = watchlist_path(workbench(request), key)
    source = _source(path, source_id)
    return render(
        request,
        "watchlist_remove.html",
        {"key": key, "href": watchlist_href(key), "file": path.name, "source": source, "error": ""},
    )


@router.post("/watchlists/{key}/sources/{source_id}/remove", include_in_schema=False)
def remove(request: Request, key: str, source_id: str, user: Editor) -> Response:
    audit(request, user, "watchlist.remove_source", watchlist=key, source=source_id)
    path = watchlist_path(workbench(request), key)
    source = _source(path, source_id)
    try:
        remove_source(path, source_id)
    except (WatchlistError, KeyError, OSError, ValueError) as exc:
        error = "; ".join(edit_errors(exc, path).problems)
        context = {"key": key, "href": watchlist_href(key), "file": path.name, "source": source, "error": error}
        return render(request, "watchlist_remove.html", context, 400)
    return RedirectResponse(url(watchlist_href(key), removed=source_id), status_code=303)


# crawl now -------------------------------------------------------------------------------------


def start_crawl(bench: Workbench, key: str, source_ids: list[str]) -> CrawlProgress:
    """Raises CrawlBusy, WatchlistError (a broken file, or no enabled source), KeyError (no such source)."""
    return bench.crawls.start(watchlist_path(bench, key), source_ids or None)


@router.post("/watchlists/{key}/crawl", include_in_schema=False)
def crawl_now(request: Request, key: str, user: Editor, submitted: Submitted) -> Response:
    """Crawl one source (form field `source`) or the whole watchlist now, then follow it."""
    source_id = submitted.get("source", "").strip()
    audit(request, user, "watchlist.crawl", watchlist=key, source=_logged(source_id) or "(all enabled)")
    bench = workbench(request)
    if source_id and not SOURCE_ID.match(source_id):
        return _watchlist_page(request, key, crawl_error="There is no such source in this watchlist.", status=400)
    try:
        started = start_crawl(bench, key, [source_id] if source_id else [])
    except CrawlBusy as exc:
        return _watchlist_page(request, key, crawl_error=f"Not started: already being crawled. {exc}", status=409)
    except WatchlistError as exc:
        return _watchlist_page(
            request, key, crawl_error="; ".join(problems_shown(exc, watchlist_path(bench, key))), status=400
        )
    except KeyError as exc:
        return _watchlist_page(request, key, crawl_error=str(exc.args[0]), status=400)
    return RedirectResponse(_crawl_href(key, started.job_id), status_code=303)


def _progress(bench: Workbench, key: str, job_id: str) -> CrawlProgress:
    path = watchlist_path(bench, key)
    try:
        progress = bench.crawls.progress(job_id)
    except KeyError:
        raise HTTPException(404, f"There is no crawl {job_id!r} of this watchlist.") from None
    if progress.file != path.name:
        raise HTTPException(404, f"There is no crawl {job_id!r} of this watchlist.")
    return progress


def _progress_context(key: str, progress: CrawlProgress) -> dict[str, Any]:
    return {
        "key": key,
        "href": watchlist_href(key),
        "progress": progress,
        "fragment_href": f"{_crawl_href(key, progress.job_id)}/progress",
        "page_href": _crawl_href(key, progress.job_id),
        "run_href": run_href,
        "outcomes": OUTCOMES,
    }


@router.get("/watchlists/{key}/crawls/{job_id}", response_class=HTMLResponse, include_in_schema=False)
def crawl_page(request: Request, key: str, job_id: str, user: Viewer) -> HTMLResponse:
    """The crawl's progress. Without JavaScript the page reloads itself while the crawl runs; with
    it, htmx swaps in the progress fragment every second until the fragment stops asking."""
    progress = _progress(workbench(request), key, job_id)
    return render(request, "watchlist_crawl.html", _progress_context(key, progress))


@router.get("/watchlists/{key}/crawls/{job_id}/progress", response_class=HTMLResponse, include_in_schema=False)
def crawl_fragment(request: Request, key: str, job_id: str, user: Viewer) -> HTMLResponse:
    progress = _progress(workbench(request), key, job_id)
    return render(request, "_run_progress.html", _progress_context(key, progress))
