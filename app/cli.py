"""The `osint` command line. Every command has --help; machine output with --json; exit 2 on bad usage."""

from __future__ import annotations

import importlib

import click

from app.commands.config import build_config
from app.logs import configure_logging

#: command modules, each exposing `command` (a click command or group); --help lists them alphabetically
COMMANDS = (
    "crawl",
    "search",
    "export",
    "extract",
    "watchlist",
    "index",
    "runs",
    "serve",
    "demo",
    "schedule",
    "alert",
    "config",
    "show",
    "cite",
    "capture",
    "user",
    "arsenal",
)


class _CommandModules(click.Group):
    """Imports a command's module when that command is run or listed, not before: `osint crawl`
    then loads neither the web application nor the alert store (~0.5 s of every crawl's start)."""

    def list_commands(self, context: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, context: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        command: click.Command = importlib.import_module(f"app.commands.{name}").command
        return command


@click.group(cls=_CommandModules, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug).")
@click.version_option(package_name="osint-crawler")
@click.pass_context
def cli(context: click.Context, verbose: int) -> None:
    """Collect, understand and search open sources on arms transfers.

    \b
    Quick start:
      osint crawl settings/watchlists/example.yaml
      osint search '"anti-tank" weapon:Kornet country:SY'
    """
    configure_logging(verbose)
    if not context.resilient_parsing:  # (shell completion validates nothing)
        # validated at start-up, once per invocation: commands read it with current_config()
        context.obj = build_config()


def main() -> None:
    cli(prog_name="osint")  # a bad setting stops the group with exit status 2 (build_config)


if __name__ == "__main__":
    main()
