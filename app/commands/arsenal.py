"""`osint arsenal GROUP`: the weapons an armed group is reported with, where they were made, who
supplied them and since when (arsenal/profile.py), each number traceable to its sentences with
--evidence, exported as CSV or GraphML with --export."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from app.commands.config import current_config, open_index
from app.output import console, fail, print_json, replaced_whole, safe
from arsenal.export import write_csv, write_graphml
from arsenal.groups import MAX_PERIOD_DAYS, canonical_group, period, supplier_label
from arsenal.profile import (
    ArsenalProfile,
    CountRow,
    Evidence,
    ProfileRequest,
    build_profile,
    evidence,
    evidence_json,
    profile_json,
)
from extractors.entities.filters import canonicalize_filter, resolve_filter, unknown_value_warning
from index.backend import IndexBackend
from index.query import QuerySyntaxError
from index.syntax import date_param
from schema.countries import country_label

EXPORTS = {"csv": write_csv, "graphml": write_graphml}
EVIDENCE_KINDS = ("weapon", "origin", "category", "supplier")
#: widest bar of the origin and category charts, in characters
BAR_WIDTH = 40


def read_date(context: click.Context, parameter: click.Parameter, value: str | None) -> datetime | None:
    """YYYY, YYYY-MM or YYYY-MM-DD, read as the search syntax reads since:/until: (a period's
    first moment; for --until its last)."""
    if value is None:
        return None
    name = "until" if parameter.name == "until" else "since"
    try:
        moment = date_param(name, value.strip())
    except QuerySyntaxError as exc:  # click names the option: the filter's name would only confuse
        raise click.BadParameter(str(exc).removeprefix(name).lstrip(": ")) from None
    if moment is None:
        raise click.BadParameter(f"expects a date like 2024-05-17, 2024-05 or 2024, got {value!r}")
    return moment


def read_duration(context: click.Context, parameter: click.Parameter, value: str | None) -> timedelta | None:
    """A period back from now: 90d, 12w, or a number of days."""
    if value is None:
        return None
    within = period(value)
    if within is None:
        raise click.BadParameter(f"expects a period like 90d or 12w, up to {MAX_PERIOD_DAYS:,} days, got {value!r}")
    return within


def resolve_group(backend: IndexBackend, text: str) -> str:
    """The group `text` names (any alias, or a name only the index's documents know), as the web
    resolves it, or exit 2 saying so."""
    group = canonical_group(backend, text.strip())
    if group is None:
        raise click.BadParameter(unknown_value_warning("group", text), param_hint="GROUP")
    return group


def evidence_selection(text: str) -> dict[str, str]:
    """`--evidence` as evidence() arguments: WEAPON, origin:XX, category:NAME or supplier:NAME
    (names as the index stores them: "origin:Iran" is IR, "AK47" is AK-47)."""
    kind, colon, value = text.partition(":")
    if colon and kind.strip().lower() in EVIDENCE_KINDS:
        kind, value = kind.strip().lower(), value.strip()
    else:
        kind, value = "weapon", text.strip()
    if not value:
        raise click.BadParameter("expects WEAPON, origin:XX, category:NAME or supplier:NAME", param_hint="--evidence")
    if kind == "weapon":  # a weapon row is a model, or a category when no model was named
        return {"weapon": resolve_filter("weapon", value) or resolve_filter("category", value) or value}
    if kind == "supplier":  # a country supplier is stored by its ISO code, a group by its name
        return {"supplier": resolve_filter("country", value) or resolve_filter("group", value) or value}
    return {kind: canonicalize_filter(kind, value)}


@click.command("arsenal")
@click.argument("group")
@click.option("--since", metavar="DATE", callback=read_date, help="Only documents published on or after this date.")
@click.option("--until", metavar="DATE", callback=read_date, help="Only documents published on or before this date.")
@click.option("--source", "sources", multiple=True, metavar="ID", help="Only documents of this source (repeatable).")
@click.option(
    "--new-within",
    callback=read_duration,
    metavar="DURATION",
    help="Mark what was first seen in this period: 90d, 12w.",
)
@click.option("--new-since", metavar="DATE", callback=read_date, help="Mark what was first seen on or after this date.")
@click.option("--no-cooccurrence", is_flag=True, help="Only sentence relations: leave out mere co-occurrence.")
@click.option(
    "--evidence",
    "selection",
    metavar="WEAPON|origin:XX|category:NAME|supplier:NAME",
    help="Print the sentences behind one number, with their citations.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=200, show_default=True, help="Evidence shown.")
@click.option("--export", "export_format", type=click.Choice(list(EXPORTS)), help="Write the profile to --output.")
@click.option("-o", "--output", metavar="FILE", help="The export's file (- for standard output); replaced whole.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile (or the evidence) as JSON.")
def command(
    group: str,
    since: datetime | None,
    until: datetime | None,
    sources: tuple[str, ...],
    new_within: timedelta | None,
    new_since: datetime | None,
    no_cooccurrence: bool,
    selection: str | None,
    limit: int,
    export_format: str | None,
    output: str | None,
    as_json: bool,
) -> None:
    """Which weapons an armed group is reported with, where they were made, who supplied them,
    and since when.

    GROUP is any name or alias of the group ("Ansar Allah" is the Houthis). Every number counts
    documents, each once. A sentence link is a sentence naming both the group and the weapon
    (held, used, seized from it, supplied to it, ...); a co-occurrence is a document naming both
    with no sentence connecting them: a weaker link, counted apart and marked as such.
    Document dates are the publication date, else the fetch date; --since/--until keep to
    published documents, as search does.
    """
    if new_within is not None and new_since is not None:
        raise click.UsageError("give --new-within or --new-since, not both")
    if since and until and since > until:
        raise click.BadParameter("is before --since", param_hint="--until")
    if (export_format is None) != (output is None):
        raise click.UsageError("--export and --output go together")
    if export_format and selection:
        raise click.UsageError("--export writes the profile: leave out --evidence")
    if as_json and output == "-":
        raise click.UsageError("--json prints its summary on standard output: give --output a file, not -")
    chosen = evidence_selection(selection) if selection else None
    try:
        with open_index(current_config()) as backend:
            request = ProfileRequest(
                group=resolve_group(backend, group),
                since=since,
                until=until,
                sources=tuple(dict.fromkeys(sources)),
                new_since=datetime.now(UTC) - new_within if new_within else new_since,
                cooccurrence=not no_cooccurrence,
            )
            if chosen is not None:
                found, total = evidence(
                    backend,
                    request,
                    weapon=chosen.get("weapon"),
                    origin=chosen.get("origin"),
                    category=chosen.get("category"),
                    supplier=chosen.get("supplier"),
                    limit=limit,
                )
            else:
                profile = build_profile(backend, request)
    except (OSError, ConnectionError) as exc:
        fail(f"the index cannot be read: {exc}")
    if chosen is not None:
        if as_json:
            print_json(
                {
                    "group": request.group,
                    "selection": chosen,
                    "total": total,
                    "evidence": [evidence_json(item) for item in found],
                }
            )
        else:
            print_evidence(request, chosen, found, total)
    elif export_format and output:
        export(profile, export_format, output, as_json)
    elif as_json:
        print_json(profile_json(profile))
    else:
        print_profile(profile)


def export(profile: ArsenalProfile, export_format: str, output: str, as_json: bool) -> None:
    write = EXPORTS[export_format]
    if output == "-":
        write(profile, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path = Path(output)
    try:
        with replaced_whole(path) as part, part.open("wb") as stream:
            written = write(profile, stream)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    where = str(path.resolve())
    if as_json:
        print_json({"format": export_format, "group": profile.request.group, "path": where, "bytes": written})
    else:
        console.print(
            Text(
                f"Exported the arsenal of {safe(profile.request.group)} ({written} bytes, {export_format}) to {safe(where)}"
            )
        )


# -- for people --------------------------------------------------------------------------------


#: the width (columns) from which the weapons are printed as a table
WIDE_TABLE = 130


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def day(moment: datetime | None) -> str:
    return moment.astimezone(UTC).date().isoformat() if moment else "-"


def print_profile(profile: ArsenalProfile, out: Console = console) -> None:
    request = profile.request
    out.print(heading(profile))
    if not profile.weapons:
        out.print(Text(f"No document links {safe(request.group)} to a weapon.", style="dim"))
        return
    if out.width >= WIDE_TABLE:
        out.print(weapon_table(profile))
    else:  # a narrow terminal or a pipe (80 columns): a table would wrap every cell
        out.print(*weapon_lines(profile), sep="\n")
    out.print(bar_chart("Origins (documents; ░ co-occurrence only)", profile.origins, country_label))
    out.print(bar_chart("Categories (documents; ░ co-occurrence only)", profile.categories, str))
    out.print(*supplier_lines(profile), sep="\n")
    if request.new_since is not None:
        out.print(*new_lines(profile), sep="\n")
    out.print(
        Text(
            "The sentences behind a number: --evidence WEAPON (or origin:XX, category:NAME, supplier:NAME).",
            style="dim",
        )
    )


def heading(profile: ArsenalProfile) -> Text:
    request = profile.request
    line = Text(f"Arsenal of {safe(request.group)}", style="bold")
    line.append(
        f": {counted(profile.documents, 'document')} with sentence links"
        + (f", {profile.cooccurrence_documents} more with co-occurrence only (weaker)" if request.cooccurrence else "")
        + f"; seen {day(profile.first_seen)} to {day(profile.last_seen)}"
    )
    scope = []
    if request.since or request.until:
        scope.append(f"published {day(request.since)} to {day(request.until)}")
    if request.sources:
        scope.append("sources " + ", ".join(safe(source) for source in request.sources))
    if not request.cooccurrence:
        scope.append("sentence links only")
    if scope:
        line.append("\n" + "; ".join(scope), style="dim")
    return line


def abridged(values: list[str], shown: int = 3) -> str:
    """The first few values (the lists come most documents first), and how many more: a table
    row stays a few lines high; --json and --export have them all."""
    more = len(values) - shown
    return ", ".join(values[:shown]) + (f" +{more} more" if more > 0 else "")


def weapon_table(profile: ArsenalProfile) -> Table:
    table = Table(title="Weapons", title_justify="left", show_header=True)
    columns = (
        "weapon",
        "category",
        "origins",
        "docs",
        "co-occ.",
        "first seen",
        "last seen",
        "reported as",
        "suppliers",
    )
    for column in columns:
        table.add_column(column, justify="right" if column in ("docs", "co-occ.") else "left")
    comparing = profile.request.new_since is not None
    if comparing:
        table.add_column("new")
    for row in profile.weapons:
        cells = [
            Text(safe(row.weapon), style="bold" if row.documents else "dim"),
            Text(safe(row.category)),
            Text(abridged(row.origins)),
            Text(str(row.documents)),
            Text(str(row.cooccurrence_documents), style="dim"),
            Text(day(row.first_seen)),
            Text(day(row.last_seen)),
            Text(abridged([f"{name} {count}" for name, count in row.relation_types.items()])),
            Text(safe(abridged(row.suppliers))),
        ]
        if comparing:
            cells.append(Text("NEW" if row.new else "", style="bold green"))
        table.add_row(*cells)
    return table


def weapon_lines(profile: ArsenalProfile) -> list[Text]:
    """The weapon table as one line per weapon, for narrow output."""
    lines = [Text("Weapons (documents with a sentence link, + co-occurrence only)", style="bold")]
    comparing = profile.request.new_since is not None
    for row in profile.weapons:
        line = Text("  ")
        line.append(safe(row.weapon), style="bold" if row.documents else "dim")
        if row.weapon_kind == "model":
            line.append(f" ({safe(row.category)})")
        line.append(f"  {abridged(row.origins) or '-'}  {row.documents}")
        line.append(f" (+{row.cooccurrence_documents})", style="dim")
        line.append(f"  {day(row.first_seen)} to {day(row.last_seen)}")
        if row.relation_types:
            line.append("  " + abridged([f"{name} {count}" for name, count in row.relation_types.items()]))
        if row.suppliers:
            line.append(f"  from {safe(abridged(row.suppliers))}")
        if comparing and row.new:
            line.append("  NEW", style="bold green")
        lines.append(line)
    return lines


def bar_chart(title: str, rows: list[CountRow], label: Any) -> Text:
    """One line per row: its label, a bar of █ for sentence documents and ░ for co-occurrence
    documents, and the counts (bars scaled to the largest row)."""
    chart = Text(title, style="bold")
    if not rows:
        return chart.append("\n  none", style="dim")
    labels = [safe(label(row.key)) for row in rows]
    width = max(map(len, labels))
    largest = max(row.documents + row.cooccurrence_documents for row in rows)
    for name, row in zip(labels, rows, strict=True):
        solid = _bar(row.documents, largest)
        light = max(
            _bar(row.documents + row.cooccurrence_documents, largest) - solid, 1 if row.cooccurrence_documents else 0
        )
        chart.append(f"\n  {name:<{width}}  ")
        chart.append("█" * solid, style="cyan")
        chart.append("░" * light, style="dim")
        chart.append(f" {row.documents}" + (f" (+{row.cooccurrence_documents})" if row.cooccurrence_documents else ""))
        if row.new:
            chart.append("  NEW", style="bold green")
    return chart


def _bar(count: int, largest: int) -> int:
    """At least one character for any count above zero, so small counts stay visible."""
    return 0 if not count else max(1, round(count * BAR_WIDTH / largest))


def supplier_lines(profile: ArsenalProfile) -> list[Text]:
    lines = [Text("Suppliers and routes (stated in a sentence)", style="bold")]
    if not profile.routes:
        return [*lines, Text("  none stated", style="dim")]
    for route in profile.routes:
        line = Text(f"  {safe(supplier_label(route.supplier, route.supplier_kind))}")
        if route.supplier_kind:
            line.append(f" ({route.supplier_kind})", style="dim")
        line.append(f" → {safe(route.weapon)} → {safe(profile.request.group)}")
        line.append(f"  {counted(route.documents, 'document')}", style="dim")
        if route.relation_types:
            line.append(
                " · " + ", ".join(f"{name} {count}" for name, count in route.relation_types.items()), style="dim"
            )
        lines.append(line)
    return lines


def new_lines(profile: ArsenalProfile) -> list[Text]:
    since = day(profile.request.new_since)
    new = profile.new_rows()
    if not any(new.values()):
        return [Text(f"Nothing new since {since}.", style="bold")]
    lines = [Text(f"New since {since} (first seen on or after it)", style="bold green")]
    for name, values in new.items():
        if values:
            shown = [country_label(value) for value in values] if name == "origins" else values
            lines.append(Text(f"  {name}: {safe(', '.join(shown))}"))
    return lines


def print_evidence(
    request: ProfileRequest, chosen: dict[str, str], found: list[Evidence], total: int, out: Console = console
) -> None:
    what = ", ".join(f"{name} {value}" for name, value in chosen.items())
    header = Text(f"Evidence for {safe(request.group)}, {safe(what)}: ", style="bold")
    header.append(
        counted(total, "item") + (f" (first {len(found)} shown; --limit for more)" if len(found) < total else "")
    )
    out.print(header)
    for number, item in enumerate(found, 1):
        out.print(evidence_text(number, item))


def evidence_text(number: int, item: Evidence) -> Text:
    """One citable item: what it says, the sentence (crawled, so stripped of escapes and control
    characters), and where it is: URL, date, page, capture digest."""
    text = Text(f"{number}. ", style="bold")
    if item.strength == "sentence":
        text.append(f"[sentence] {item.relation_type} ({item.direction})", style="bold")
    else:
        text.append("[co-occurrence, weaker] the document names both; no sentence connects them", style="yellow")
    text.append(f" · {safe(item.weapon)}")
    if item.origin:
        text.append(f" · origin {item.origin}" + (" (stated)" if item.origin_stated else ""))
    if item.supplier:
        text.append(f" · supplier {safe(item.supplier)}")
    if item.strength == "sentence":
        text.append(f" · confidence {item.confidence:.2f}", style="dim")
        text.append(f"\n   “{safe(item.sentence)}”")
    citation = [safe(item.title) or "(untitled)", safe(item.url)]
    citation.append(f"published {day(item.published)}" if item.published else f"undated, fetched {day(item.fetched)}")
    if item.page is not None:
        citation.append(f"page {item.page}")
    citation.append(
        f"capture sha256 {safe(item.capture_sha256)[:12]} ({day(item.capture_fetched)})"
        if item.capture_sha256
        else "no capture preserved"
    )
    text.append("\n   " + "  ·  ".join(citation), style="dim")
    return text
