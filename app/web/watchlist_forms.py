"""Watchlist and source forms: the text an analyst types, turned into watchlists.model objects, and
every problem put beside the field at fault in the words the CLI uses (`osint watchlist new` and
`add-source` print `field: message`; a broken file, `file:line: field: message`).

Pure logic, no web framework: a form is a mapping of field names to the strings a browser sends
(an unchecked checkbox sends nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from app.web.watchlist_view import problems_shown, without_server_path
from watchlists.model import SOURCE_ID, Scope, Source, Watchlist, WatchlistError, error_message, source_from_fields

KINDS: tuple[str, ...] = get_args(Source.model_fields["kind"].annotation)
#: what each kind of source reads, for the form's hints
KIND_HELP = {
    "feed": "RSS, Atom or RDF feeds: each article they list is fetched.",
    "sitemap": "Sitemaps, news sitemaps and sitemap indexes.",
    "site": "A link-following crawl from the start URLs, within the scope below.",
    "page": "Single pages, fetched as they are.",
    "document": "PDFs and other documents.",
}
SCOPE_FIELDS = ("allowed_domains", "allow", "deny", "max_depth", "max_pages")
SOURCE_FIELDS: tuple[str, ...] = (
    *("id", "kind", "name", "urls", "tags", "language", "schedule", "revisit", "render_js", "enabled"),
    *SCOPE_FIELDS,
)
HEADER_FIELDS = ("name", "owner", "description", "schedule")
WATCHLIST_FIELDS = ("file", *HEADER_FIELDS)
#: new watchlist files are named like source ids: no path, no dot, no surprise
FILE_NAME = SOURCE_ID
FILE_NAME_MESSAGE = "must be lowercase letters, digits, '-' or '_' (at most 64), starting with a letter or digit"
_SCOPE_DEFAULTS = Scope()
#: what one form field may hold (a watchlist file is at most 1 MiB anyway): more is refused, never cut
MAX_FIELD = 20_000
#: `path:line: field: message` as watchlists.model writes a problem (the line is absent for some)
_PROBLEM = re.compile(
    r"^(?:(?P<line>\d+): )?(?:(?P<field>\(top level\)|[A-Za-z_]\w*(?:\[\d+\]|\.\w+)*): )?(?P<message>.*)$", re.S
)


@dataclass
class FormErrors:
    """`fields`: form field -> the message shown beside it; `problems`: every problem as the CLI
    prints it (the page's summary). Empty: the form is fine."""

    fields: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.problems)

    def add(self, form_field: str | None, message: str, problem: str) -> None:
        if form_field is not None:
            self.fields.setdefault(form_field, message)
        self.problems.append(problem)


@dataclass(frozen=True)
class WatchlistHeader:
    """A valid form of a watchlist's own fields."""

    name: str
    owner: str
    description: str
    schedule: str | None


@dataclass(frozen=True)
class NewWatchlist:
    """A valid "new watchlist" form: the file to create (in the watchlists directory) and its header."""

    file: str
    name: str
    owner: str
    description: str
    schedule: str | None

    @property
    def file_name(self) -> str:
        return f"{self.file}.yaml"


# values shown in a form -------------------------------------------------------------------------


def source_form(source: Source | None = None) -> dict[str, str]:
    """The form's values for `source` (blank for a new one). A default is shown as an empty field
    (the form's placeholder says what it is), so saving does not write it into the file."""
    if source is None:
        return {**dict.fromkeys(SOURCE_FIELDS, ""), "kind": "feed", "enabled": "on"}
    scope = source.scope
    return {
        "id": source.id,
        "kind": source.kind,
        "name": source.name,
        "urls": "\n".join(source.urls),
        "tags": ", ".join(source.tags),
        "language": source.language or "",
        "schedule": source.schedule or "",
        "revisit": source.revisit or "",
        "render_js": "on" if source.render_js else "",
        "enabled": "on" if source.enabled else "",
        "allowed_domains": ", ".join(scope.allowed_domains),
        "allow": "\n".join(scope.allow),
        "deny": "\n".join(scope.deny),
        "max_depth": "" if scope.max_depth == _SCOPE_DEFAULTS.max_depth else str(scope.max_depth),
        "max_pages": "" if scope.max_pages == _SCOPE_DEFAULTS.max_pages else str(scope.max_pages),
    }


def watchlist_form(watchlist: Watchlist | None = None) -> dict[str, str]:
    """The values of a new watchlist's form (blank), or of `watchlist`'s own fields."""
    if watchlist is None:
        return dict.fromkeys(WATCHLIST_FIELDS, "")
    return {
        "name": watchlist.name,
        "owner": watchlist.owner,
        "description": " ".join(watchlist.description.split()),  # a folded `>` block reads as one line
        "schedule": watchlist.schedule or "",
    }


def form_values(form: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The fields `names` of a submitted form as strings (missing: empty), ready to be shown again."""
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value if isinstance(value, str) else ""
    return values


def too_long(form: Mapping[str, str], names: tuple[str, ...]) -> FormErrors:
    """A problem beside each of the fields `names` that holds more than MAX_FIELD characters: cut
    silently, a long list of URLs would lose its end without anyone noticing."""
    errors = FormErrors()
    for name in names:
        length = len(form.get(name) or "")
        if length > MAX_FIELD:
            message = f"at most {MAX_FIELD:,} characters; this has {length:,}"
            errors.add(name, message, f"{name}: {message}")
    return errors


def _merged(first: FormErrors, then: FormErrors) -> FormErrors:
    """`first`'s problems, then `then`'s (beside a field, the first one found stays)."""
    for form_field, message in then.fields.items():
        first.fields.setdefault(form_field, message)
    first.problems += then.problems
    return first


# source form -> Source --------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    """Comma- or whitespace-separated values (tags, host names)."""
    return [word for word in re.split(r"[,\s]+", text) if word]


def parse_source_form(form: Mapping[str, str]) -> tuple[Source | None, FormErrors]:
    """The Source a source form describes, or the problems with it. Empty fields are left out, as
    `osint watchlist add-source` leaves out options not given, so the model's defaults apply."""
    value = {name: (form.get(name) or "").strip() for name in SOURCE_FIELDS}
    scope: dict[str, Any] = {
        "allowed_domains": _words(value["allowed_domains"]),
        "allow": _lines(form.get("allow") or ""),
        "deny": _lines(form.get("deny") or ""),
        "max_depth": value["max_depth"] or None,
        "max_pages": value["max_pages"] or None,
    }
    fields: dict[str, Any] = {
        "id": value["id"],
        "kind": value["kind"],
        "urls": _words(value["urls"]),  # URLs hold no spaces: one per line, or separated by spaces
        "name": value["name"],
        "tags": [tag.strip() for tag in re.split(r"[,\n]", value["tags"]) if tag.strip()],
        "language": value["language"] or None,
        "schedule": value["schedule"] or None,
        "revisit": value["revisit"] or None,
        "render_js": bool(value["render_js"]),
    }
    errors = too_long(form, SOURCE_FIELDS)
    try:
        # a checkbox left unchecked sends nothing: the source is switched off
        source = source_from_fields(fields, scope, enabled=bool(value["enabled"]))
    except ValidationError as exc:
        return None, _merged(errors, _validation_errors(exc))
    return (None if errors else source), errors


def _source_field(loc: tuple[Any, ...]) -> str | None:
    """The form field a pydantic error location of a Source points at."""
    if not loc:
        return None
    if loc[0] == "scope":
        return str(loc[1]) if len(loc) > 1 and loc[1] in SCOPE_FIELDS else "max_pages"
    return str(loc[0]) if loc[0] in SOURCE_FIELDS else None


def _validation_errors(
    exc: ValidationError, to_field: Callable[[tuple[Any, ...]], str | None] = _source_field
) -> FormErrors:
    """Each error with the CLI's text: `osint watchlist add-source` prints
    `{'.'.join(loc)}: {message without "Value error, "}`."""
    errors = FormErrors()
    for error in exc.errors():
        loc = tuple(error["loc"])
        message = error_message(error)
        errors.add(to_field(loc), message, f"{'.'.join(map(str, loc))}: {message}")
    return errors


# watchlist form -> NewWatchlist -----------------------------------------------------------------


def suggested_file(name: str) -> str:
    """A file name for a watchlist called `name` ("Sahel routes" -> "sahel-routes"); empty if none fits."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")[:64].strip("-_")
    return slug if FILE_NAME.match(slug) else ""


def _header_field(loc: tuple[Any, ...]) -> str | None:
    return str(loc[0]) if loc and loc[0] in HEADER_FIELDS else None


def parse_header_form(
    form: Mapping[str, str], existing_names: Mapping[str, str]
) -> tuple[WatchlistHeader | None, FormErrors]:
    """A watchlist's own fields (name, owner, description, default schedule). `existing_names`:
    watchlist name -> file of the other watchlists (names must differ: runs, schedules and search
    filters know a watchlist by its name)."""
    value = {name: (form.get(name) or "").strip() for name in HEADER_FIELDS}
    header = WatchlistHeader(value["name"], value["owner"], value["description"], value["schedule"] or None)
    errors = too_long(form, HEADER_FIELDS)
    try:
        Watchlist.model_validate(
            {"name": header.name, "owner": header.owner, "description": header.description, "schedule": header.schedule}
        )
    except ValidationError as exc:
        errors = _merged(errors, _validation_errors(exc, _header_field))
    if header.name in existing_names:
        message = f"a watchlist named {header.name!r} exists already ({existing_names[header.name]})"
        errors.add("name", message, f"name: {message}")
    return (None if errors else header), errors


def parse_watchlist_form(
    form: Mapping[str, str], existing_files: set[str], existing_names: Mapping[str, str]
) -> tuple[NewWatchlist | None, FormErrors]:
    """A new watchlist from its form: its header, and the file to create. `existing_files`: file
    names in the watchlists directory (a file is never overwritten)."""
    header, errors = parse_header_form(form, existing_names)
    given = (form.get("file") or "").strip()
    name = (form.get("name") or "").strip()
    file = given or suggested_file(name)
    if not FILE_NAME.match(file):
        if given:
            errors.add("file", FILE_NAME_MESSAGE, f"file: {FILE_NAME_MESSAGE}")
        elif name:  # no file name given, and none could be made from the watchlist's name
            message = f"choose a file name: it {FILE_NAME_MESSAGE}"
            errors.add("file", message, f"file: {message}")
    elif f"{file}.yaml" in existing_files or f"{file}.yml" in existing_files:
        # the CLI's words (`osint watchlist new PATH` on an existing file)
        message = f"{file}.yaml exists; edit it with add-source / remove-source"
        errors.add("file", message, message)
    if errors or header is None:
        return None, errors
    return NewWatchlist(file, header.name, header.owner, header.description, header.schedule), errors


# problems of an edit ----------------------------------------------------------------------------


def edit_errors(exc: Exception, path: Path, top_level_fields: tuple[str, ...] = ()) -> FormErrors:
    """What went wrong in an edit of watchlists/edit.py, as `osint watchlist` reports it (its
    `_edit_or_exit`), with the file named as the analyst knows it (its name, not a server path).
    A problem about one of `top_level_fields` (new watchlist: name, owner, description, schedule)
    goes beside that field; a duplicate source id beside `id`; any other is about the file itself."""
    errors = FormErrors()
    if isinstance(exc, WatchlistError):
        for problem, shown in zip(exc.problems, problems_shown(exc, path), strict=True):
            match = _PROBLEM.match(problem.removeprefix(f"{path}:").lstrip(" "))
            form_field = match["field"] if match and match["field"] in top_level_fields else None
            message = match["message"] if match and form_field else shown
            if re.fullmatch(r"a source '.*' exists already", match["message"] if match else ""):
                form_field, message = "id", match["message"] if match else shown
            errors.add(form_field, message, shown)
    elif isinstance(exc, KeyError):
        errors.add(None, "", without_server_path(str(exc.args[0]), path))
    elif isinstance(exc, FileExistsError):
        message = without_server_path(str(exc), path)
        errors.add("file", message, message)
    elif isinstance(exc, OSError):
        errors.add(None, "", f"{path.name}: cannot be written ({exc.strerror or exc})")
    else:
        errors.add(None, "", without_server_path(str(exc), path))
    return errors
