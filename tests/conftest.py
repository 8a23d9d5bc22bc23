"""Fixtures shared by the whole suite (each kind lives in its own module, imported here)."""

from tests.engine_fixture import engine_url  # noqa: F401  (session fixture: a real search engine)
