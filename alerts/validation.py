"""An alert as typed by an analyst (a name, a query or an armed group, target texts), checked
before it is saved: the same checks, with the same messages, for `osint alert add` and the web form.

Every field's first problem is kept, so a form can show each beside its field; the command line
reports the first one, in the order it always has: a target that does not parse, then the name,
the query (or the group) and the target list as the model checks them, then a JSONL target the
delivery policy refuses. An arsenal alert's group is named as the gazetteer names it (aliases
resolved, as the `group:` filter resolves them); a group it does not know is refused, with the
closest it knows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from alerts.guard import DeliveryPolicy
from alerts.model import ALERT_KINDS, Alert, Target
from extractors.entities.filters import resolve_filter, unknown_value_warning

#: the message for an alert without targets (the command line's --notify is required instead)
NO_TARGETS = "at least one target: webhook:https://…, jsonl:/path/file.jsonl or email:analyst@example.org"


class InvalidAlert(ValueError):
    """What is wrong with an alert, by field ("name", "query", "targets"); str() is the first problem."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(next(iter(problems.values())))
        self.problems = problems


def validated_alert(
    name: str, query: str, targets: Sequence[str], policy: DeliveryPolicy, *, kind: str = "search", group: str = ""
) -> Alert:
    """The alert `name` saving `query` (an arsenal alert: watching `group`) for `targets` (each in
    Target.parse's syntax); InvalidAlert when any of it is wrong. JSONL targets are checked
    against `policy` (absolute, outside the data directory), as delivery checks them again before
    every write."""
    problems: dict[str, str] = {}
    parsed: list[Target] = []
    for text in targets:
        try:
            parsed.append(Target.parse(text))
        except ValueError as exc:  # pydantic's ValidationError is a ValueError too
            problems.setdefault("targets", _message(exc))
    if kind not in ALERT_KINDS:
        problems["kind"] = f"{kind!r} is not a kind of alert: {' or '.join(ALERT_KINDS)}"
        raise InvalidAlert(problems)
    if kind == "arsenal" and group.strip():
        known = resolve_filter("group", group)
        if known is None:
            problems.setdefault("group", unknown_value_warning("group", group.strip()))
        group = known or group
    fields: dict[str, Any] = {"name": name, "kind": kind, "query": query, "group": group, "targets": parsed}
    try:
        alert = Alert(**fields)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "name"
            problems.setdefault(field, NO_TARGETS if error["type"] == "too_short" else _message(exc, error))
        raise InvalidAlert(problems) from None
    for target in alert.targets:
        if target.kind == "jsonl":
            try:
                policy.file_for(target.address)
            except ValueError as exc:  # RefusedDelivery
                problems.setdefault("targets", str(exc))
    if problems:
        raise InvalidAlert(problems)
    return alert


def _message(exc: ValueError, error: Any = None) -> str:
    """The message a ValueError carries; pydantic's without its "Value error, " prefix."""
    if isinstance(exc, ValidationError):
        detail = error if error is not None else exc.errors()[0]
        return str(detail["msg"]).removeprefix("Value error, ")
    return str(exc)
