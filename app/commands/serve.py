from __future__ import annotations

import click

from app.commands.config import current_config, open_index
from app.interrupt import until_interrupted
from app.output import console
from app.web import SearchApp
from app.web.server import CLIENT_TIMEOUT, SearchServer
from network.redaction import redact_url


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
    "--client-timeout",
    type=click.FloatRange(0.1, 3600),
    default=CLIENT_TIMEOUT,
    show_default=True,
    help="Seconds a client may stay silent before it is disconnected.",
)
def command(host: str, port: int, client_timeout: float) -> None:
    """Serve the search page (and /api/search JSON) for the configured index.

    One thread per connection, so a slow client never holds up the others. While the index is
    unreachable, searches answer 503 with a message; /healthz answers as long as the server runs.
    """
    config = current_config()
    # the server closes (answering what it is answering) before the index, and the signal handlers
    # are in place before the line that tells anyone they may send the signal
    with (
        open_index(config) as backend,
        SearchServer((host, port), SearchApp(backend), client_timeout) as server,
        until_interrupted(),
    ):
        console.print(
            f"Searching {redact_url(config.index_url)} at http://{host}:{server.server_port}/  (Ctrl-C to stop)",
            markup=False,
        )
        server.serve_forever()
