"""Arsenal profiles: which weapons documents report an armed group with (arsenal/profile.py), as
a page (/arsenal/{group}) whose every number opens the evidence sentences behind it
(/arsenal/{group}/evidence), as CSV and GraphML downloads, and as JSON (/api/arsenal/...).

A group is named as the search names it: any alias the gazetteer knows ("Ansar Allah") leads to
its canonical name ("Houthis"), whose address the page then has for good.

Plain functions, not coroutines: a profile reads every document naming the group from the index,
so FastAPI runs them in its thread pool."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.web.access import Viewer
from app.web.arsenal_params import MAX_PAGE, EvidenceSelection, InvalidParams, ProfileParams
from app.web.arsenal_view import EVIDENCE_PER_PAGE, evidence_view, known_values, profile_view
from app.web.links import arsenal_href
from app.web.templating import render
from app.web.unavailable import IndexUnreachableAs503
from app.web.workbench import workbench
from arsenal.export import write_csv, write_graphml
from arsenal.groups import canonical_group
from arsenal.profile import (
    ArsenalProfile,
    Evidence,
    ProfileRequest,
    build_profile,
    evidence,
    evidence_json,
    profile_json,
)
from extractors.entities.filters import closest_entity
from index.backend import IndexBackend

router = APIRouter()

EXPORTS: dict[str, tuple[str, Callable[[ArsenalProfile, IO[bytes]], int]]] = {
    ".csv": ("text/csv; charset=utf-8", write_csv),
    ".graphml": ("application/graphml+xml", write_graphml),
}


def _page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    return render(request, template, {**context, "arsenal_href": arsenal_href}, status)


def _now() -> datetime:
    return datetime.now(UTC)


def _unknown_group(request: Request, given: str, status: int) -> HTMLResponse:
    context = {
        "given": given,
        "error": f"No armed group is known as “{given}”.",
        "suggestion": closest_entity("group", given),
        "known": known_values(workbench(request).backend),
    }
    return _page(request, "arsenal_pick.html", context, status)


# -- pages -------------------------------------------------------------------------------------


@router.get("/arsenal", response_class=HTMLResponse, include_in_schema=False)
def pick(request: Request, user: Viewer, group: str = "") -> Response:
    """The form choosing a group (the index's groups offered as suggestions); sent, it leads to
    the group's profile."""
    given = group.strip()
    with IndexUnreachableAs503():
        if not given:
            known = known_values(workbench(request).backend)
            return _page(request, "arsenal_pick.html", {"given": "", "error": "", "known": known})
        canonical = canonical_group(workbench(request).backend, given)
        if canonical is None:
            return _unknown_group(request, given, 400)
    params = ProfileParams.from_pairs(request.query_params.multi_items())
    return RedirectResponse(arsenal_href(canonical, params.pairs()), status_code=303)


def _resolved(request: Request, group: str, suffix: str = "") -> str | Response:
    """The canonical name of the group in the path, or the answer instead: a redirect from an
    alias to the canonical address (its query string kept), or 404 for a group nobody knows."""
    canonical = canonical_group(workbench(request).backend, group)
    if canonical is None:
        return _unknown_group(request, group, 404)
    if canonical != group:
        target = arsenal_href(canonical, request.query_params.multi_items(), suffix)
        return RedirectResponse(target, status_code=303)
    return canonical


def _export(request: Request, group: str, suffix: str) -> Response:
    """The profile as the page's filters make it, as an attachment."""
    with IndexUnreachableAs503():
        resolved = _resolved(request, group, suffix)
        if isinstance(resolved, Response):
            return resolved
        params = ProfileParams.from_pairs(request.query_params.multi_items())
        try:
            profile_request = params.request(resolved, _now())
        except InvalidParams as invalid:
            raise HTTPException(400, str(invalid)) from None
        profile = build_profile(workbench(request).backend, profile_request)
    media_type, write = EXPORTS[suffix]
    body = io.BytesIO()
    write(profile, body)
    headers = {
        "Content-Disposition": f'attachment; filename="{_file_name(resolved)}{suffix}"',
        "Cache-Control": "no-store",
    }
    return Response(body.getvalue(), media_type=media_type, headers=headers)


@router.get("/arsenal/{group}.csv", include_in_schema=False)
def export_csv(request: Request, group: str, user: Viewer) -> Response:
    """One row per weapon and origin country (arsenal/export.py)."""
    return _export(request, group, ".csv")


@router.get("/arsenal/{group}.graphml", include_in_schema=False)
def export_graphml(request: Request, group: str, user: Viewer) -> Response:
    """Origins and suppliers to weapons to the group, for Gephi (arsenal/export.py)."""
    return _export(request, group, ".graphml")


def _file_name(group: str) -> str:
    """An ASCII file name for the group's exports ("arsenal-houthis"): header-safe whatever the name."""
    slug = re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-")[:60]
    return f"arsenal-{slug or 'group'}"


@router.get("/arsenal/{group}/evidence", response_class=HTMLResponse, include_in_schema=False)
def evidence_page(request: Request, group: str, user: Viewer) -> Response:
    """The evidence behind one number of the profile, with its citations, a page at a time."""
    pairs = request.query_params.multi_items()
    params = ProfileParams.from_pairs(pairs)
    with IndexUnreachableAs503():
        resolved = _resolved(request, group, "/evidence")
        if isinstance(resolved, Response):
            return resolved
        try:
            selection = EvidenceSelection.from_pairs(pairs)
            profile_request = params.request(resolved, _now())
        except InvalidParams as invalid:
            context = {
                "group": resolved,
                "errors": invalid.errors,
                "view": None,
                "profile_href": arsenal_href(resolved),
            }
            return _page(request, "arsenal_evidence.html", context, 400)
        found, total = _evidence(workbench(request).backend, profile_request, selection)
    view = evidence_view(resolved, params, selection, found, total)
    return _page(request, "arsenal_evidence.html", {"group": resolved, "view": view, "errors": {}})


def _evidence(
    backend: IndexBackend, profile_request: ProfileRequest, selection: EvidenceSelection, limit: int = EVIDENCE_PER_PAGE
) -> tuple[list[Evidence], int]:
    return evidence(
        backend,
        profile_request,
        **selection.values,
        strength=selection.strength,
        limit=limit,
        offset=(selection.page - 1) * limit,
    )


@router.get("/arsenal/{group}", response_class=HTMLResponse, include_in_schema=False)
def profile_page(request: Request, group: str, user: Viewer) -> Response:
    params = ProfileParams.from_pairs(request.query_params.multi_items())
    backend = workbench(request).backend
    with IndexUnreachableAs503():
        resolved = _resolved(request, group)
        if isinstance(resolved, Response):
            return resolved
        known = known_values(backend)
        try:
            profile_request = params.request(resolved, _now())
        except InvalidParams as invalid:
            context = {"group": resolved, "params": params, "errors": invalid.errors, "known": known, "view": None}
            return _page(request, "arsenal.html", context, 400)
        view = profile_view(resolved, params, build_profile(backend, profile_request))
    context = {"group": resolved, "params": params, "errors": {}, "known": known, "view": view}
    return _page(request, "arsenal.html", context)


# -- JSON --------------------------------------------------------------------------------------

Since = Annotated[str, Query(description="Documents published on or after this date: 2024, 2024-05 or 2024-05-17.")]
Until = Annotated[str, Query(description="Documents published on or before this date (the whole year, month or day).")]
Sources = Annotated[list[str] | None, Query(description="Only documents of these source ids (any of them).")]
NewWithin = Annotated[
    str, Query(description="Mark as new what was first seen in this period: 90d, 12w, or a number of days (90).")
]
NewSince = Annotated[str, Query(description="Mark as new what was first seen on or after this date.")]
Cooccurrence = Annotated[
    str,
    Query(
        pattern="^[01]$",
        description="1: also count documents that only name the group and a weapon (a weaker link, "
        "counted apart as cooccurrence_documents); 0: sentence relations only.",
    ),
]
Selected = Annotated[str, Query(max_length=200)]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No armed group is known by this name"}}
UNUSABLE: dict[int | str, dict[str, Any]] = {422: {"description": "A parameter cannot be used: the field and why"}}


def _api_request(request: Request, group: str, params: ProfileParams) -> ProfileRequest:
    """The profile request for the API: 404 for an unknown group (an alias is fine), 422 naming
    each unusable parameter."""
    canonical = canonical_group(workbench(request).backend, group.strip())
    if canonical is None:
        suggestion = closest_entity("group", group)
        hint = f"; did you mean {suggestion}?" if suggestion else ""
        raise HTTPException(404, f"no armed group is known as {group!r}{hint}")
    try:
        return params.request(canonical, _now())
    except InvalidParams as invalid:
        raise HTTPException(422, invalid.errors) from None


def _api_params(
    since: str, until: str, source: list[str] | None, new_within: str, new_since: str, cooccurrence: str
) -> ProfileParams:
    pairs = [("since", since), ("until", until), ("new_within", new_within), ("new_since", new_since)]
    pairs += [("source", value) for value in source or ()] + [("cooccurrence", cooccurrence)]
    return ProfileParams.from_pairs(pairs)


@router.get(
    "/api/arsenal/{group}",
    response_model=dict[str, Any],
    summary="An armed group's arsenal profile",
    responses={**NOT_FOUND, **UNUSABLE},
)
def api_profile(
    request: Request,
    group: str,
    user: Viewer,
    since: Since = "",
    until: Until = "",
    source: Sources = None,
    new_within: NewWithin = "",
    new_since: NewSince = "",
    cooccurrence: Cooccurrence = "1",
) -> dict[str, Any]:
    """The weapons documents report the group with (`osint arsenal --json`): per weapon its
    category, origins, sentence and co-occurrence document counts, first and last seen, relation
    types, suppliers and whether it is new; the same per origin, category and supplier; the
    supply routes the text states. `group` may be any alias the gazetteer knows."""
    params = _api_params(since, until, source, new_within, new_since, cooccurrence)
    with IndexUnreachableAs503():
        profile_request = _api_request(request, group, params)
        return profile_json(build_profile(workbench(request).backend, profile_request))


@router.get(
    "/api/arsenal/{group}/evidence",
    response_model=dict[str, Any],
    summary="The evidence behind one number of an arsenal profile",
    responses={**NOT_FOUND, **UNUSABLE},
)
def api_evidence(
    request: Request,
    group: str,
    user: Viewer,
    weapon: Selected = "",
    origin: Selected = "",
    category: Selected = "",
    supplier: Selected = "",
    strength: Annotated[str, Query(pattern="^(sentence|cooccurrence)?$")] = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_PAGE * 1000)] = 0,
    since: Since = "",
    until: Until = "",
    source: Sources = None,
    cooccurrence: Cooccurrence = "1",
) -> dict[str, Any]:
    """The sentences (for a co-occurrence, the documents) linking the group to a weapon, an origin,
    a category or a supplier (those given, combined), newest document first, each with its
    citation: document id, URL, title, date, capture SHA-256, page, relation type and cue.
    `total` counts them all; page with `limit` and `offset`."""
    params = _api_params(since, until, source, "", "", cooccurrence)
    chosen = {"weapon": weapon, "origin": origin, "category": category, "supplier": supplier}
    with IndexUnreachableAs503():
        profile_request = _api_request(request, group, params)
        found, total = evidence(
            workbench(request).backend,
            profile_request,
            **{name: value for name, value in chosen.items() if value},
            strength="sentence" if strength == "sentence" else "cooccurrence" if strength else None,
            limit=limit,
            offset=offset,
        )
    return {
        "group": profile_request.group,
        "total": total,
        "limit": limit,
        "offset": offset,
        "evidence": [evidence_json(item) for item in found],
    }
