"""The analysts' web interface: a search page and a JSON API, server-rendered, no JavaScript.

Crawled content is hostile: titles and URLs are escaped, snippets arrive escaped from the index
with only <mark> added, and a strict Content-Security-Policy forbids scripts altogether.
"""

from app.web.application import SearchApp

__all__ = ["SearchApp"]
