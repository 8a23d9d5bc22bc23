from __future__ import annotations

from wsgiref.simple_server import WSGIRequestHandler, make_server

import click

from app.output import console
from app.web import SearchApp
from index.backend import open_backend
from settings.config import load_config


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
def command(host: str, port: int) -> None:
    """Serve the search page (and /api/search JSON) for the configured index."""
    index_url = load_config().index_url
    with open_backend(index_url) as backend:
        server = make_server(host, port, SearchApp(backend), handler_class=QuietHandler)
        console.print(f"Searching {index_url} at http://{host}:{server.server_port}/  (Ctrl-C to stop)", markup=False)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
