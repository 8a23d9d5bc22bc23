"""Alerts (saved searches, and arsenal alerts on an armed group, that notify): list, create (from
a search, or for a group), test, remove, and each alert's deliveries — what
`osint alert add|list|show|test|remove` do, as pages and JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from alerts.model import Alert
from alerts.preview import preview_alert
from alerts.validation import InvalidAlert
from app.web.access import Editor, Viewer, audit
from app.web.alert_forms import (
    FORM,
    MAX_QUERY,
    AlertForm,
    AlertIn,
    AlertOut,
    alert_lines,
    alert_summary,
    arsenal_view,
    create_alert,
    find_alert,
    preview_view,
    recent_deliveries,
    valid_name,
)
from app.web.links import alert_href
from app.web.templating import render, url
from app.web.workbench import workbench
from network.redaction import redact_text

router = APIRouter()


def _no_alert(request: Request, name: str) -> HTMLResponse:
    message = f"There is no alert named {name!r}: the alerts page lists those saved."
    return render(request, "error.html", {"title": "No such alert", "message": message}, 404)


def _form_page(request: Request, form: AlertForm, problems: dict[str, str] | None = None) -> HTMLResponse:
    return render(
        request, "alert_form.html", {"form": form, "problems": problems or {}, "FORM": FORM}, 400 if problems else 200
    )


def _alert_page(request: Request, alert: Alert, **extra: Any) -> HTMLResponse:
    bench = workbench(request)
    # shared: a document pending and recently delivered is read once
    documents = alert_lines(bench.alerts, bench.backend, alert)
    context = {
        "summary": alert_summary(bench.alerts, alert, documents),
        "deliveries": recent_deliveries(bench.alerts, documents, alert.name),
        "arsenal": arsenal_view(bench.alerts, alert, documents) if alert.kind == "arsenal" else None,
        "preview": None,
        "test_error": None,
        "saved": False,
        **extra,
    }
    return render(request, "alert.html", context)


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts(request: Request, user: Viewer, removed: str | None = None) -> HTMLResponse:
    store = workbench(request).alerts
    return render(
        request,
        "alerts.html",
        {"summaries": [alert_summary(store, alert) for alert in store.all()], "removed": valid_name(removed)},
    )


@router.get("/alerts/new", response_class=HTMLResponse, include_in_schema=False)
def new_alert(request: Request, user: Viewer, q: str = "") -> HTMLResponse:
    """The create form, its query filled in from the search page's "Save as alert"."""
    return _form_page(request, AlertForm(query=q[:MAX_QUERY]))


@router.post("/alerts", response_class=HTMLResponse, include_in_schema=False)
def create(
    request: Request,
    user: Editor,
    # no max_length: create_alert checks the lengths, so the form comes back with the message beside the field
    name: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "search",
    query: Annotated[str, Form()] = "",
    group: Annotated[str, Form()] = "",
    targets: Annotated[str, Form()] = "",
    backfill: Annotated[bool, Form()] = False,
) -> Response:
    form = AlertForm(name=name.strip(), kind=kind, query=query, group=group.strip(), targets=targets, backfill=backfill)
    audit(request, user, "alert.create", alert=form.name, kind=form.kind, backfill=form.backfill)
    bench = workbench(request)
    # the form shows both fields: the kind chosen says which one counts
    request_in = AlertIn(
        name=form.name,
        kind=form.kind,
        query=form.query if form.kind != "arsenal" else "",
        group=form.group if form.kind == "arsenal" else "",
        targets=form.target_texts(),
        backfill=form.backfill,
    )
    try:
        create_alert(bench.alerts, bench.backend, bench.config, request_in, may_write_files=user.may("admin"))
    except InvalidAlert as exc:
        return _form_page(request, form, exc.problems)
    return RedirectResponse(f"{alert_href(form.name)}?saved=1", status_code=303)


@router.get("/alerts/{name}", response_class=HTMLResponse, include_in_schema=False)
def alert(request: Request, name: str, user: Viewer, saved: bool = False) -> HTMLResponse:
    found = find_alert(workbench(request).alerts, name)
    if found is None:
        return _no_alert(request, name)
    return _alert_page(request, found, saved=saved)


@router.post("/alerts/{name}/test", response_class=HTMLResponse, include_in_schema=False)
def test(request: Request, name: str, user: Editor) -> HTMLResponse:
    """What the alert would deliver now, as `osint alert test`: nothing is queued or sent, so the
    answer is this page itself (no redirect)."""
    audit(request, user, "alert.test", alert=name)
    bench = workbench(request)
    found = find_alert(bench.alerts, name)
    if found is None:
        return _no_alert(request, name)
    try:
        preview = preview_alert(bench.alerts, bench.ledger, bench.backend, found)
    except (OSError, ConnectionError) as exc:
        return _alert_page(request, found, test_error=f"the index cannot be searched: {redact_text(str(exc))}")
    return _alert_page(request, found, preview=preview_view(preview, alert_lines(bench.alerts, bench.backend, found)))


@router.get("/alerts/{name}/delete", response_class=HTMLResponse, include_in_schema=False)
def confirm_delete(request: Request, name: str, user: Viewer) -> HTMLResponse:
    found = find_alert(workbench(request).alerts, name)
    if found is None:
        return _no_alert(request, name)
    return render(request, "alert_delete.html", {"summary": alert_summary(workbench(request).alerts, found)})


@router.post("/alerts/{name}/delete", include_in_schema=False)
def delete(request: Request, name: str, user: Editor) -> Response:
    audit(request, user, "alert.delete", alert=name)
    if not workbench(request).alerts.remove(name):
        return _no_alert(request, name)
    return RedirectResponse(url("/alerts", removed=name), status_code=303)


@router.get("/api/alerts", response_model=list[AlertOut], summary="Saved alerts")
def api_alerts(request: Request, user: Viewer) -> list[AlertOut]:
    """Saved alerts with what they delivered and what waits for delivery (`osint alert list --json`)."""
    store = workbench(request).alerts
    return [alert_summary(store, alert).as_json() for alert in store.all()]


@router.post(
    "/api/alerts",
    response_model=AlertOut,
    status_code=201,
    summary="Save an alert",
    responses={
        400: {
            "description": "what is wrong, by field (`problems`), with the CLI's messages; a jsonl target "
            "unless the user is an admin"
        }
    },
)
def api_create(request: Request, user: Editor, body: AlertIn) -> AlertOut | JSONResponse:
    """Save an alert (`osint alert add NAME QUERY --notify TARGET… [--backfill]`, or with
    `"kind": "arsenal"` and a `group`, `osint alert add NAME --arsenal GROUP --notify TARGET…`)."""
    audit(request, user, "alert.create", alert=body.name, kind=body.kind, backfill=body.backfill)
    bench = workbench(request)
    try:
        saved, backfilled = create_alert(
            bench.alerts, bench.backend, bench.config, body, may_write_files=user.may("admin")
        )
    except InvalidAlert as exc:
        return JSONResponse({"detail": str(exc), "problems": exc.problems}, 400)
    return alert_summary(bench.alerts, saved).as_json(backfilled)
