"""The workbench's routers, one module per part of the app; application.py includes them all."""

from __future__ import annotations

from fastapi import APIRouter

from app.web.routes import alerts, api, arsenal, auth, documents, runs, search, watchlists, watchlists_api

ROUTERS: list[APIRouter] = [
    part.router for part in (auth, api, search, documents, arsenal, watchlists, watchlists_api, runs, alerts)
]
