"""Application configuration, from the environment (12-factor), validated with pydantic."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator


class Config(BaseModel):
    data_dir: Path = Field(default=Path("./data"), description="OSINT_DATA_DIR: ledger, embedded index, spool.")
    index_url: str = Field(
        default="", description="OSINT_INDEX_URL: sqlite:///path (default) or http(s)://engine:9200."
    )
    allow_private_networks: str = Field(
        default="",
        description="OSINT_ALLOW_PRIVATE_NETWORKS: '1' lets the crawler reach loopback/private addresses; a comma list of CIDRs allows just those (tests: 127.0.0.0/8).",
    )
    allow_private_delivery: str = Field(
        default="",
        description="OSINT_ALLOW_PRIVATE_DELIVERY: alert webhook and SMTP hosts on loopback/private addresses that deliveries may reach, as a comma list of CIDRs ('1': any); separate from the crawl's allow-list.",
    )
    chromium_path: str = Field(
        default="/usr/bin/chromium", description="OSINT_CHROMIUM: browser for render_js sources."
    )
    extract_workers: int = Field(
        default=2, ge=0, le=64, description="OSINT_EXTRACT_WORKERS: extraction processes (0 = in the crawler process)."
    )

    @field_validator("allow_private_networks", "allow_private_delivery")
    @classmethod
    def _allowance_parses(cls, value: str) -> str:
        from network.addresses import parse_allowance

        parse_allowance(value)
        return value

    @field_validator("index_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:", "http://", "https://")):
            raise ValueError("must start with sqlite:///, http:// or https://")
        return value


def env_data_dir() -> Path:
    return Path(os.environ.get("OSINT_DATA_DIR", "./data")).expanduser()


def embedded_index_url(data_dir: Path) -> str:
    """The index when OSINT_INDEX_URL is not set: SQLite in the data directory."""
    return f"sqlite:///{data_dir / 'index.sqlite3'}"


class ConfigError(ValueError):
    pass


@lru_cache(maxsize=1)
def load_config() -> Config:
    env = os.environ
    try:
        data_dir = env_data_dir()
        config = Config(
            data_dir=data_dir,
            index_url=env.get("OSINT_INDEX_URL") or embedded_index_url(data_dir),
            allow_private_networks=env.get("OSINT_ALLOW_PRIVATE_NETWORKS", ""),
            allow_private_delivery=env.get("OSINT_ALLOW_PRIVATE_DELIVERY", ""),
            chromium_path=env.get("OSINT_CHROMIUM", "/usr/bin/chromium"),
            extract_workers=env.get("OSINT_EXTRACT_WORKERS", str(min(2, os.cpu_count() or 1))),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"environment: OSINT_{str(first['loc'][0]).upper()}: {first['msg']}") from None
    return config
