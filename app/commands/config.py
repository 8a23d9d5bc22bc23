"""`osint config`: the effective configuration, secrets masked, with where each value came from.

Also how commands get the configuration: the `osint` group builds it once per invocation
(app/cli.py) and keeps it on the click context; `current_config()` returns it.
"""

from __future__ import annotations

from pathlib import Path

import click
from pydantic import SecretStr
from rich.text import Text

from app.output import console, print_json, safe
from index.backend import IndexBackend, open_backend
from network.redaction import MASK, redact_text, redact_url
from settings.config import Config, ConfigError, env_name, load_config

#: a JSON value of one setting
Value = str | int | float | bool | None


class BadConfiguration(click.ClickException):
    """A setting with an unusable value: `Error: environment: OSINT_X: ...` and exit status 2."""

    exit_code = 2


def build_config() -> Config:
    """The configuration from the environment, or exit 2 naming the variable at fault."""
    try:
        return load_config()
    except ConfigError as exc:
        raise BadConfiguration(str(exc)) from None


def current_config() -> Config:
    """This invocation's configuration (built by the `osint` group; built here when a command
    runs without it)."""
    context = click.get_current_context()
    config = context.find_object(Config)
    if config is None:
        config = build_config()
        context.find_root().obj = config
    return config


def open_index(config: Config) -> IndexBackend:
    """The configured index: its URL with the engine credentials, TLS settings and spool."""
    return open_backend(config.index_url, **config.index_options())


def shown_value(config: Config, field: str) -> Value:
    """A setting as it may be printed: secrets masked, credentials in URLs masked."""
    value: Value | SecretStr | Path = getattr(config, field)  # the field types Config declares
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, Path):
        return str(value)
    if field == "index_url" and isinstance(value, str):
        return redact_url(value)
    if isinstance(value, str):
        return redact_text(value)
    return value  # None, int, float, bool: every other field type


def describe(config: Config) -> dict[str, dict[str, Value]]:
    """Variable -> its value (as printable), where it came from, and what it means."""
    described: dict[str, dict[str, Value]] = {}
    for field, info in Config.model_fields.items():
        described[env_name(field)] = {
            "value": shown_value(config, field),
            "source": config.origin(field),
            "description": info.description or "",
        }
    return described


def _text(value: Value) -> str:
    if value is None or value == "":
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@click.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print the configuration as JSON.")
def command(as_json: bool) -> None:
    """Print the effective configuration and where each value came from.

    Every setting is an environment variable (settings/config.py), validated at start-up: a bad
    value stops every command with exit status 2 and the variable's name. The source of a value is
    "environment" (the variable is set) or "default". Passwords and API keys are shown as ***,
    and so are credentials inside the index URL.
    """
    described = describe(current_config())
    if as_json:
        print_json(described)
        return
    width = max(map(len, described))
    for name, entry in described.items():
        line = Text(f"{name:<{width}}  ")
        line.append(safe(_text(entry["value"])))
        line.append(f"  ({entry['source']})", style="dim")
        console.print(line)
    console.print(Text("osint config --json adds what each variable means.", style="dim"))
