"""One configuration surface: every OSINT_* setting in settings/config.py, validated at start-up,
handed to components; `osint config` shows it with secrets masked; a crawl's Scrapy settings
(`scrapy crawl -s OSINT_DATA_DIR=/x`) reach every store."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler

from alerts.guard import DeliveryPolicy
from app.cli import cli
from crawlers.extensions.outcome_ledger import PROGRESS_SETTING, OutcomeLedger, ProgressHook, crawl_ledger
from crawlers.extraction_pool import POOL_SETTING, ExtractionPool
from crawlers.pipelines.store import IndexPipeline
from crawlers.pipelines.stories import StoryPipeline
from crawlers.runner import crawl_settings
from index.engine.backend import EngineBackend
from index.engine.client import EngineCredentials, parse_engine_url
from settings.config import Config, ConfigError, env_name, from_crawler_settings, load_config

SECRETS = {
    "OSINT_INDEX_PASSWORD": "index-pass-7f3a",
    "OSINT_INDEX_API_KEY": "api-key-9c1e",
    "OSINT_SMTP_PASSWORD": "smtp-pass-2b8d",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No OSINT_* variable of the machine running the tests leaks into them."""
    for field in Config.model_fields:
        monkeypatch.delenv(env_name(field), raising=False)


def osint(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`osint ARGS` in this process (exit status, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), env=env, prog_name="osint")
    return result.exit_code, result.stdout, result.stderr


# the settings object --------------------------------------------------------------------------


def test_defaults_and_the_embedded_index_in_the_data_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    config = load_config()
    assert (config.data_dir, config.index_url) == (Path("data"), "sqlite:///data/index.sqlite3")
    assert (config.index_batch, config.robots_max_age, config.story_threshold, config.conditional_get) == (
        100,
        86400,
        0.5,
        True,
    )
    assert config.spool_root == Path("data") / "spool"
    assert all(config.origin(field) == "default" for field in Config.model_fields)
    monkeypatch.setenv("OSINT_DATA_DIR", str(tmp_path / "store"))
    config = load_config()  # built anew: a changed environment is seen
    assert config.index_url == f"sqlite:///{tmp_path / 'store' / 'index.sqlite3'}"
    assert (config.origin("data_dir"), config.origin("index_url")) == ("environment", "default")


@pytest.mark.parametrize(
    "variable, value",
    [
        ("OSINT_EXTRACT_WORKERS", "many"),
        ("OSINT_EXTRACT_WORKERS", "-1"),
        ("OSINT_INDEX_URL", "ftp://files.example/index"),
        ("OSINT_ALLOW_PRIVATE_NETWORKS", "10.0.0.0/33"),
        ("OSINT_SMTP_PORT", "70000"),
        ("OSINT_STORY_THRESHOLD", "1.5"),
        ("OSINT_CONDITIONAL_GET", "sometimes"),
        ("OSINT_INDEX_BATCH", "0"),
    ],
)
def test_a_bad_value_names_its_variable(variable: str, value: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError, match=rf"^environment: {variable}: "):
        load_config()


def test_a_bad_value_stops_the_cli_with_exit_status_2():
    code, _, stderr = osint("config", env={"OSINT_EXTRACT_WORKERS": "many"})
    assert code == 2
    assert stderr.startswith("Error: environment: OSINT_EXTRACT_WORKERS: ")
    assert "Traceback" not in stderr
    code, _, stderr = osint("search", "kornet", env={"OSINT_INDEX_URL": "ftp://x"})
    assert code == 2 and "OSINT_INDEX_URL" in stderr


def test_engine_credentials_keep_their_semantics(monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "OSINT_INDEX_USERNAME": "elastic",
        "OSINT_INDEX_PASSWORD": "changeme",
        "OSINT_INDEX_CA_CERTS": "/etc/osint/ca.crt",
        "OSINT_INDEX_API_KEY": "a2V5",
    }.items():
        monkeypatch.setenv(name, value)
    options = load_config().index_options()
    credentials = EngineCredentials(
        options["username"], options["password"], options["api_key"], options["ca_certs"], options["verify_certs"]
    )
    engine = parse_engine_url("https://es01:9200", credentials)
    assert (engine.username, engine.password, engine.api_key, engine.ca_certs, engine.verify_certs) == (
        "elastic",
        "changeme",
        "a2V5",
        "/etc/osint/ca.crt",
        True,
    )
    # what the URL says wins
    engine = parse_engine_url("https://analyst:s%40cret@es01:9200?ca_certs=/own.crt&verify_certs=false", credentials)
    assert (engine.username, engine.password, engine.ca_certs, engine.verify_certs) == (
        "analyst",
        "s@cret",
        "/own.crt",
        False,
    )


@pytest.mark.parametrize(
    "value, verify", [("", True), ("false", False), ("0", False), ("OFF", False), ("true", True), ("yes", True)]
)
def test_verify_certs_reads_as_it_always_did(value: str, verify: bool, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("OSINT_INDEX_VERIFY_CERTS", value)
    options = load_config().index_options()
    credentials = EngineCredentials(verify_certs=options["verify_certs"])
    assert parse_engine_url("https://es01:9200", credentials).verify_certs is verify


def test_smtp_settings_reach_the_delivery_policy(monkeypatch: pytest.MonkeyPatch):
    for name, value in {
        "OSINT_SMTP_HOST": "mail.example.org",
        "OSINT_SMTP_PORT": "587",
        "OSINT_SMTP_USER": "alerts",
        "OSINT_SMTP_PASSWORD": "pw",
        "OSINT_SMTP_STARTTLS": "1",
    }.items():
        monkeypatch.setenv(name, value)
    smtp = DeliveryPolicy.from_config(load_config()).smtp
    assert smtp is not None
    assert (smtp.host, smtp.port, smtp.sender, smtp.user, smtp.starttls) == (
        "mail.example.org",
        587,
        "osint-crawler@localhost",
        "alerts",
        True,
    )
    assert smtp.password is not None and smtp.password.get_secret_value() == "pw"
    assert "pw" not in repr(smtp)


# osint config ---------------------------------------------------------------------------------


def test_osint_config_shows_values_and_sources_never_secrets(tmp_path: Path):
    env = {
        **SECRETS,
        "OSINT_DATA_DIR": str(tmp_path),
        "OSINT_INDEX_URL": "https://analyst:url-pass-5d0c@search.internal:9200",
        "OSINT_SMTP_HOST": "mail.example.org",
    }
    code, text, _ = osint("config", env=env)
    assert code == 0
    code, out, _ = osint("config", "--json", env=env)
    assert code == 0
    for secret in [*SECRETS.values(), "url-pass-5d0c"]:
        assert secret not in text and secret not in out
    shown = json.loads(out)
    assert set(shown) == {env_name(field) for field in Config.model_fields}
    assert shown["OSINT_DATA_DIR"] == {
        "value": str(tmp_path),
        "source": "environment",
        "description": Config.model_fields["data_dir"].description,
    }
    assert shown["OSINT_INDEX_URL"]["value"] == "https://***@search.internal:9200"
    assert shown["OSINT_SMTP_PASSWORD"]["value"] == "***"
    assert shown["OSINT_SMTP_USER"] == {**shown["OSINT_SMTP_USER"], "value": None, "source": "default"}
    assert shown["OSINT_EXTRACT_WORKERS"]["source"] == "default"
    assert "OSINT_DATA_DIR" in text and str(tmp_path) in text and "environment" in text


def test_each_invocation_sees_its_own_environment(tmp_path: Path):
    first = json.loads(osint("config", "--json", env={"OSINT_DATA_DIR": str(tmp_path / "a")})[1])
    second = json.loads(osint("config", "--json", env={"OSINT_DATA_DIR": str(tmp_path / "b")})[1])
    assert (first["OSINT_DATA_DIR"]["value"], second["OSINT_DATA_DIR"]["value"]) == (
        str(tmp_path / "a"),
        str(tmp_path / "b"),
    )


def test_osint_config_help():
    code, out, _ = osint("config", "--help")
    assert code == 0 and out.startswith("Usage: osint config") and "--json" in out


# a crawl's Scrapy settings ----------------------------------------------------------------------


def get_crawler_with(settings: dict[str, object]) -> Crawler:
    """A crawler with the project's settings (settings/crawl.py) and `settings` on top, as
    `scrapy crawl -s NAME=VALUE` makes it."""
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
    project = Settings()
    project.setmodule("settings.crawl")
    return get_crawler(Spider, {**project.copy_to_dict(), **settings})


def test_one_scrapy_setting_moves_every_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`scrapy crawl -s OSINT_DATA_DIR=/x`: the ledger (and the robots.txt cache in it), the stories
    database, the embedded index and the engine's spool all go to /x, whatever the environment says."""
    monkeypatch.setenv("OSINT_DATA_DIR", str(tmp_path / "from-environment"))
    store = tmp_path / "x"
    crawler = get_crawler_with({"OSINT_DATA_DIR": str(store)})
    assert from_crawler_settings(crawler.settings).data_dir == store
    assert crawler.get_extension(OutcomeLedger) is not None and crawl_ledger(crawler) is not None
    assert (store / "crawl.sqlite3").exists()
    assert StoryPipeline.from_crawler(crawler).path == store / "stories.sqlite3"
    assert IndexPipeline.from_crawler(crawler).index_url == f"sqlite:///{store / 'index.sqlite3'}"

    engine = get_crawler_with({"OSINT_DATA_DIR": str(store), "OSINT_INDEX_URL": "http://127.0.0.1:9/?index=spooled"})
    pipeline = IndexPipeline.from_crawler(engine)
    pipeline.open_spider()  # the engine backend connects lazily: nothing is sent here
    try:
        assert isinstance(pipeline.backend, EngineBackend)
        assert pipeline.backend.spool.directory.parent == store / "spool"
    finally:
        pipeline.backend.close()
    assert not (tmp_path / "from-environment").exists()


def test_the_environment_reaches_scrapy_settings_read_directly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Under a plain `scrapy crawl`, components that read an OSINT_* Scrapy setting themselves (the
    address guard's allow-list) get the environment's value; a Scrapy setting wins over it."""
    monkeypatch.setenv("OSINT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OSINT_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("OSINT_ROBOTS_MAX_AGE", "60")
    crawler = get_crawler_with({})
    assert crawler.settings.get("OSINT_ALLOW_PRIVATE_NETWORKS") == "127.0.0.0/8"
    assert crawler.settings.getint("OSINT_ROBOTS_MAX_AGE") == 60
    crawler = get_crawler_with({"OSINT_ALLOW_PRIVATE_NETWORKS": "10.0.0.0/8"})
    assert crawler.settings.get("OSINT_ALLOW_PRIVATE_NETWORKS") == "10.0.0.0/8"


def test_a_bad_scrapy_setting_names_itself(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"^Scrapy setting: OSINT_STORY_THRESHOLD: "):
        from_crawler_settings(Settings({"OSINT_DATA_DIR": str(tmp_path), "OSINT_STORY_THRESHOLD": "2"}))


def test_the_runner_hands_its_configuration_and_objects_to_every_crawler(tmp_path: Path):
    config = load_config({"OSINT_DATA_DIR": str(tmp_path), "OSINT_EXTRACT_WORKERS": "0"}).model_copy(
        update={"index_password": SecretStr("from-code"), "allow_private_networks": "127.0.0.0/8"}
    )
    pool, hook = ExtractionPool(0), ProgressHook(lambda outcome, url: None)
    settings = crawl_settings(config, "run-1", {POOL_SETTING: pool, PROGRESS_SETTING: hook})
    copied = copy.deepcopy(settings)  # what every Crawler does with the settings it is given
    assert copied[POOL_SETTING] is pool and copied[PROGRESS_SETTING] is hook
    assert from_crawler_settings(copied).model_dump() == config.model_dump()
    assert copied.get("OSINT_RUN_ID") == "run-1"


def test_the_browser_is_osint_chromium_unless_scrapy_settings_name_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from crawlers.browser_handler import GuardedPlaywrightHandler

    monkeypatch.setenv("OSINT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OSINT_CHROMIUM", "/opt/browser/chromium")
    handler = GuardedPlaywrightHandler(get_crawler_with({}))
    assert handler.config.launch_options["executable_path"] == "/opt/browser/chromium"
    assert handler.config.launch_options["headless"] is True  # the project's options are kept
    own = get_crawler_with({"PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": "/usr/local/bin/chrome"}})
    assert GuardedPlaywrightHandler(own).config.launch_options["executable_path"] == "/usr/local/bin/chrome"
