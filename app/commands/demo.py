from __future__ import annotations

from pathlib import Path

import click

from app.commands.crawl import print_report
from app.commands.search import print_result
from app.output import console
from app.searching import build_request
from app.site_server import SiteServer
from crawlers.runner import run_crawl
from crawlers.watchlist import parse_watchlist
from index.backend import open_backend
from settings.config import load_config

DEMO = Path(__file__).resolve().parents[2] / "demo"
DEMO_QUERIES = ("rifles OR launchers", 'weapon:AK-47 "serial numbers"')


@click.command("demo")
@click.option("--serve", is_flag=True, help="Keep serving the demo site after the crawl (Ctrl-C to stop).")
def command(serve: bool) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it through demo/watchlist.yaml, and search it.

    Everything stays on this machine: only the demo's own loopback server is allowed.
    """
    config = load_config().model_copy(update={"allow_private_networks": "127.0.0.0/8,::1/128"})
    with SiteServer(DEMO / "site") as site:
        console.print(f"Demo site: {site.base_url}  ·  data directory: {config.data_dir}  ·  index: {config.index_url}", markup=False)
        template = (DEMO / "watchlist.yaml").read_text(encoding="utf-8")
        watchlist = parse_watchlist(template.replace("{{BASE}}", site.base_url), DEMO / "watchlist.yaml")
        report = run_crawl(watchlist, config)
        print_report(report)
        with open_backend(config.index_url) as backend:
            for query in DEMO_QUERIES:
                console.print(f"\n$ osint search '{query}'", style="bold green", markup=False)
                print_result(backend.search(build_request(query, size=5, histogram="month")))
        console.print("\nTry: .venv/bin/osint search 'weapon:RPG-7' --json   ·   .venv/bin/osint runs", markup=False)
        if serve:
            console.print(f"Serving {site.base_url} until Ctrl-C", markup=False)
            try:
                site.serve_forever_wait()
            except KeyboardInterrupt:
                pass
