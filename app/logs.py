"""Logging for the command line: stderr, credentials masked, and by default none of the library
noise that repeats, as a traceback, a failure the command already reports in one line."""

from __future__ import annotations

import logging
import sys

from app.output import LOG_FORMAT
from network.redaction import RedactingFormatter

#: Loggers whose warnings and errors say again what the application reports in its own words:
#: a URL that could not be fetched is an outcome in the run report (with its reason, one line per
#: failed source), an unreachable search engine an error message or a 503 page. Shown with -v.
REPORTED_ELSEWHERE = (
    "scrapy.downloadermiddlewares.retry",  # "Gave up retrying <GET …>"
    "scrapy.downloadermiddlewares.robotstxt",  # "Error downloading <GET …/robots.txt>" + traceback
    "opensearch",  # every failed request, with a urllib3 traceback
    "elasticsearch",
    "elastic_transport",
)


class ReportedElsewhere(logging.Filter):
    """Drops records of the REPORTED_ELSEWHERE loggers (and their children)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(record.name == name or record.name.startswith(name + ".") for name in REPORTED_ELSEWHERE)


def configure_logging(verbose: int) -> None:
    """-v info, -vv debug; below -v, library records that repeat a reported failure are left out."""
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr)
    for handler in logging.root.handlers:  # Scrapy resets the root logger's level; the handler keeps ours
        handler.setLevel(level)
        handler.setFormatter(RedactingFormatter(LOG_FORMAT))
        if not verbose and not any(isinstance(f, ReportedElsewhere) for f in handler.filters):
            handler.addFilter(ReportedElsewhere())
