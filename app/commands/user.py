"""`osint user`: the accounts of the web workbench (`osint serve`), kept in the data directory."""

from __future__ import annotations

import sys
from contextlib import closing

import click
from rich.table import Table
from rich.text import Text

from app.commands.config import current_config
from app.output import console, error_console, print_json
from state.users import ROLES, NoSuchUser, Role, UserExists, UserStore, check_name, check_password, check_role

_ROLE_CHOICE = click.Choice(ROLES)
_ROLE_HELP = "viewer: search, read and export; editor: also watchlists, alerts and crawls; admin: also users."
_PASSWORD_STDIN_HELP = "Read the password from the first line of standard input instead of prompting (for scripts)."


def _store() -> closing[UserStore]:
    return closing(UserStore(current_config().data_dir))


def _password_from_stdin() -> str:
    line = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    try:
        return check_password(line)
    except ValueError as exc:
        raise click.UsageError(f"password on standard input: {exc}") from None


def _valid_password(value: str) -> str:
    """A prompted password, or the reason to ask again (click repeats the prompt on a UsageError)."""
    try:
        return check_password(value)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return _password_from_stdin()
    password: str = click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, value_proc=_valid_password, err=True
    )
    return password


def _existing(name: str) -> NoSuchUser:
    return NoSuchUser(f"no user named {name!r} (see `osint user list`)")


@click.group("user")
def command() -> None:
    """Workbench users: who may sign in to `osint serve`, and with which role.

    Served on loopback (the default), the workbench needs no sign-in; bound to any other address,
    it refuses to start until a user exists. Passwords are kept as argon2 hashes, API tokens and
    sessions as SHA-256 digests.
    """


@command.command("add")
@click.argument("name")
@click.option("--role", type=_ROLE_CHOICE, required=True, help=_ROLE_HELP)
@click.option("--password-stdin", "password_stdin", is_flag=True, help=_PASSWORD_STDIN_HELP)
def add(name: str, role: Role, password_stdin: bool) -> None:
    """Create user NAME with a role and a password.

    NAME is 1 to 64 of A-Z a-z 0-9 . _ -; the password has at least 10 characters and is prompted
    for twice (not echoed) unless --password-stdin.
    """
    try:
        check_name(name)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    with _store() as store:
        if store.get(name) is not None:  # said before the password is asked for
            raise click.BadParameter(f"a user named {name!r} exists already", param_hint="NAME")
        password = _read_password(password_stdin)
        try:
            store.add(name, role, password)
        except UserExists as exc:
            raise click.BadParameter(str(exc), param_hint="NAME") from None
    console.print(f"User {name!r} added as {role}.", markup=False)


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
def list_users(as_json: bool) -> None:
    """The users and their roles."""
    with _store() as store:
        users = store.all()
    if as_json:
        print_json([{"name": user.name, "role": user.role} for user in users])
        return
    if not users:
        console.print("No users: add one with `osint user add NAME --role admin`.", markup=False)
        return
    table = Table(show_header=True)
    table.add_column("user")
    table.add_column("role")
    for user in users:
        table.add_row(Text(user.name), Text(user.role))
    console.print(table)


@command.command("remove")
@click.argument("name")
def remove(name: str) -> None:
    """Delete user NAME, signing it out and revoking its API token."""
    with _store() as store:
        removed = store.remove(name)
    if not removed:
        raise click.BadParameter(str(_existing(name)), param_hint="NAME")
    console.print(f"User {name!r} removed.", markup=False)


@command.command("role")
@click.argument("name")
@click.argument("role", type=_ROLE_CHOICE)
def role(name: str, role: str) -> None:
    """Give user NAME the role ROLE (viewer, editor or admin).

    It applies from the user's next request: signed-in sessions keep going with the new role.
    """
    with _store() as store:
        try:
            store.set_role(name, check_role(role))
        except NoSuchUser:
            raise click.BadParameter(str(_existing(name)), param_hint="NAME") from None
    console.print(f"User {name!r} is now {role}.", markup=False)


@command.command("password")
@click.argument("name")
@click.option("--password-stdin", "password_stdin", is_flag=True, help=_PASSWORD_STDIN_HELP)
def password(name: str, password_stdin: bool) -> None:
    """Set a new password for user NAME and sign it out everywhere.

    The password is prompted for twice (not echoed) unless --password-stdin. The user's API token
    keeps working (`osint user token` replaces it).
    """
    with _store() as store:
        if store.get(name) is None:  # said before the password is asked for
            raise click.BadParameter(str(_existing(name)), param_hint="NAME")
        new_password = _read_password(password_stdin)
        try:
            store.set_password(name, new_password)
        except NoSuchUser:  # removed while the password was typed
            raise click.BadParameter(str(_existing(name)), param_hint="NAME") from None
    console.print(f"Password of {name!r} changed; its sessions are ended.", markup=False)


@command.command("token")
@click.argument("name")
def token(name: str) -> None:
    """Print a new API token for user NAME, replacing its previous one.

    The token is shown once (only a digest is kept); scripts send it as `Authorization: Bearer
    TOKEN`. The user's previous token stops working.

    The token alone goes to standard output, the note to standard error: TOKEN=$(osint user token NAME).
    """
    with _store() as store:
        try:
            new_token = store.new_token(name)
        except NoSuchUser:
            raise click.BadParameter(str(_existing(name)), param_hint="NAME") from None
    click.echo(new_token)
    error_console.print(
        f"New API token of {name!r} (shown only now); it replaces the previous one, which no longer works.",
        markup=False,
    )
