"""The workbench as a person uses it: real Chromium through Playwright's sync API.

A `WatchedPage` records what must never happen on any page: console errors, uncaught script
errors, dialogs (alert/confirm/prompt: a hostile script ran), and requests or navigations to
anywhere but the workbench itself (a hostile page reaching out). Tests assert `page.clean()` at
the end, and save screenshots under test-artifacts/screenshots/ to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Dialog, Page, Request, sync_playwright

from settings.config import load_config
from tests.crawl.helpers import REPO

SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
#: what Chromium logs when a sandboxed, script-less page tries something the policy forbids
#: a form sent back with its mistakes marked (400), a wrong password (401), too many tries (429)
FORM_REFUSED = re.compile(r"Failed to load resource: the server responded with a status of (400|401|429)")
SANDBOX_REPORT = re.compile(
    r"Content Security Policy|sandboxed|Blocked script execution|has been blocked|Refused to", re.I
)


class WatchedPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.origin = urlsplit(base_url).netloc
        self.console_errors: list[str] = []
        self.script_errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))
        page.on("dialog", self._dialog)
        # a request the policy blocks is still announced ("request"), but never answered
        page.on("response", lambda response: self._request(response.request))
        page.on("framenavigated", lambda frame: self._navigated(frame.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if "/capture" in source and SANDBOX_REPORT.search(message.text):
            return  # a preserved page under the capture view's policy: the browser says what it refused
        if source == self.page.url and FORM_REFUSED.search(message.text):
            return  # the status of a form's own answer, not an error in the page
        self.console_errors.append(f"{self.page.url}: {message.text}")

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts.netloc != self.origin:
            self.foreign_requests.append(request.url)

    def _navigated(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc != self.origin:
            self.foreign_requests.append(f"navigation to {url}")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.ok, f"{path}: {response and response.status}"

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def problems(self) -> list[str]:
        return [
            *(f"console error: {text}" for text in self.console_errors),
            *(f"script error: {text}" for text in self.script_errors),
            *(f"dialog: {text}" for text in self.dialogs),
            *(f"request off the workbench: {url}" for url in self.foreign_requests),
        ]


@contextmanager
def chromium(base_url: str, *, accept_downloads: bool = True, width: int = 1280) -> Iterator[WatchedPage]:
    """A fresh browser context (its own cookies) on Debian's Chromium, headless."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=load_config().chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            context = browser.new_context(
                accept_downloads=accept_downloads, viewport={"width": width, "height": 900}, base_url=base_url
            )
            context.set_default_timeout(20_000)
            yield WatchedPage(context.new_page(), base_url)
            context.close()
        finally:
            browser.close()
