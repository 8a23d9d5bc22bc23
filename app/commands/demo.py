from __future__ import annotations

from pathlib import Path

import click

from app.commands.arsenal import print_profile
from app.commands.config import current_config, open_index
from app.commands.crawl import print_report
from app.commands.search import print_result
from app.interrupt import until_interrupted
from app.output import console
from app.searching import prepare_search
from app.site_server import SiteServer
from arsenal.profile import ProfileRequest, build_profile
from network.redaction import redact_url
from watchlists.model import parse_watchlist

DEMO = Path(__file__).resolve().parents[2] / "demo"
DEMO_QUERIES = ("rifles OR launchers", 'weapon:AK-47 "serial numbers"')
#: the armed group whose arsenal profile the demo prints (its weapons come from several countries)
DEMO_GROUP = "Rapid Support Forces"


def demo_site(data_dir: Path) -> SiteServer:
    """The demo site on the port it had last time: its URLs, and so its documents, stay the same,
    and a second demo run shows an incremental crawl instead of a second copy of everything."""
    remembered = data_dir / "demo-port"
    try:
        site = SiteServer(DEMO / "site", port=int(remembered.read_text()))
    except (OSError, ValueError):  # first run, or the port is taken now: any free port
        site = SiteServer(DEMO / "site")
    data_dir.mkdir(parents=True, exist_ok=True)
    remembered.write_text(str(site.server_address[1]))
    return site


@click.command("demo")
@click.option("--serve", is_flag=True, help="Keep serving the demo site after the crawl (Ctrl-C to stop).")
def command(serve: bool) -> None:
    """Serve the bundled demo site on 127.0.0.1, crawl it through demo/watchlist.yaml, and search it.

    Everything stays on this machine: only the demo's own loopback server is allowed.
    """
    from crawlers.runner import run_crawl  # Scrapy and Twisted: only for the command that crawls

    config = current_config().model_copy(update={"allow_private_networks": "127.0.0.0/8,::1/128"})
    with demo_site(config.data_dir) as site:
        console.print(
            f"Demo site: {site.base_url}  ·  data directory: {config.data_dir}  ·  index: {redact_url(config.index_url)}",
            markup=False,
        )
        template = (DEMO / "watchlist.yaml").read_text(encoding="utf-8")
        watchlist = parse_watchlist(template.replace("{{BASE}}", site.base_url), DEMO / "watchlist.yaml")
        report = run_crawl(watchlist, config)
        print_report(report)
        if report.status == "shutdown":  # Ctrl-C or SIGTERM during the crawl: stop here, not after the searches
            return
        with open_index(config) as backend:
            for query in DEMO_QUERIES:
                console.print(f"\n$ osint search '{query}'", style="bold green", markup=False)
                print_result(backend.search(prepare_search(query, size=5, histogram="month").request))
            console.print(f"\n$ osint arsenal '{DEMO_GROUP}'", style="bold green", markup=False)
            print_profile(build_profile(backend, ProfileRequest(group=DEMO_GROUP)))
        console.print(
            "\nTry: .venv/bin/osint search 'weapon:RPG-7' --json   ·   .venv/bin/osint runs"
            f"   ·   .venv/bin/osint arsenal '{DEMO_GROUP}' --evidence origin:RS",
            markup=False,
        )
        if serve:
            # the handlers first: a signal sent on seeing the line must find them in place (the
            # crawl's own, left behind by Scrapy, would only ask a stopped reactor to stop)
            with until_interrupted():
                console.print(f"Serving {site.base_url} until Ctrl-C", markup=False)
                site.serve_forever_wait()
