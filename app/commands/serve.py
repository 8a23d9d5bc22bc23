from __future__ import annotations

from contextlib import closing

import click

from app.commands.config import current_config
from app.output import console
from app.web.serving import CLIENT_TIMEOUT, allowed_hosts, bind, host_header_name, is_loopback, serve
from network.redaction import redact_url
from state.users import UserStore


class RefusedBinding(click.UsageError):
    """Exit status 2: serving everyone on the network with nobody to sign in."""


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes answering requests (each with its own connections to the index and state).",
)
@click.option(
    "--allowed-host",
    "extra_hosts",
    multiple=True,
    metavar="NAME",
    help="Another Host name to answer to (the name a reverse proxy forwards); repeatable.",
)
@click.option(
    "--client-timeout",
    type=click.FloatRange(0.1, 3600),
    default=CLIENT_TIMEOUT,
    show_default=True,
    help="Seconds a client may stay silent before it is disconnected.",
)
def command(host: str, port: int, workers: int, extra_hosts: tuple[str, ...], client_timeout: float) -> None:
    """Serve the analysts' workbench: search, documents, captures, watchlists, runs, alerts, and the
    JSON API under /api (OpenAPI at /api/openapi.json).

    On loopback it works without a login as long as no user exists; on any other address it needs
    users (`osint user add NAME --role viewer|editor|admin`) and refuses to start without them.
    Only requests naming this host (or --allowed-host) are answered, so a web page cannot reach it
    through a DNS name of its own that resolves here.
    """
    config = current_config()
    if not is_loopback(host):
        with closing(UserStore(config.data_dir)) as users:
            nobody = users.count() == 0
        if nobody:
            raise RefusedBinding(
                f"refusing to serve on {host} without users: anyone who can reach it could read and change "
                "everything. Add one first (osint user add NAME --role admin), or serve on 127.0.0.1."
            )
    listener = bind(host, port)
    shown_host = host_header_name(host)
    console.print(
        f"Searching {redact_url(config.index_url)} at http://{shown_host}:{listener.getsockname()[1]}/  (Ctrl-C to stop)",
        markup=False,
    )
    serve(listener, workers, allowed_hosts(host, extra_hosts), client_timeout, logins_mandatory=not is_loopback(host))
