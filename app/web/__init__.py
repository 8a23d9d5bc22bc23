"""The analysts' workbench in the browser: an ASGI app (FastAPI, Jinja2 templates, uvicorn) with
pages that work without JavaScript and a JSON API under /api. Crawled content is hostile: templates
autoescape, a strict Content-Security-Policy allows no inline script, and preserved pages are only
ever shown from the capture store under `Content-Security-Policy: sandbox`."""
