"""axe-core on every HTML page a browser test shows (issue 15).

``watch(page)`` makes every later Playwright call on any object first make sure that the page's
current document, once loaded, has been checked by axe-core (through axe-playwright-python):
any violation, of any impact, fails the test at that step with a report. Each document is
checked once (a flag inside the document marks it), so a page reached by a click, a form
submission or a redirect is checked as well as one opened with ``goto``. PDFs, JSON and other
non-HTML documents are skipped.

``overflows(page)`` says whether the page's body is wider than the viewport (at 375 px, a
table that is not inside its own scroll region widens the whole page)."""

from __future__ import annotations

import os
from pathlib import Path

import greenlet
from axe_playwright_python.sync_playwright import Axe
from playwright._impl._sync_base import SyncBase
from playwright.sync_api import Error

_AXE = Axe()
_WATCHED: list[_Watch] = []
_ORIGINAL_SYNC = SyncBase._sync
# Every page checked in this run, for docs/frontend.md (REGISTER_AXE_PAGES=file to keep it).
CHECKED: list[str] = []


class AccessibilityError(AssertionError):
    pass


class _Watch:
    def __init__(self, page) -> None:
        self.page = page
        self.main = greenlet.getcurrent()
        self.busy = False

    def check(self) -> None:
        """Runs axe on the current document if it is HTML and not yet checked."""
        if self.busy or greenlet.getcurrent() is not self.main or self.page.is_closed():
            return
        self.busy = True
        try:
            for _attempt in range(3):
                try:
                    self._check_once()
                    return
                except Error as error:
                    # The page navigated while being checked: check the new document.
                    if "destroyed" not in str(error) and "navigat" not in str(error):
                        raise
        finally:
            self.busy = False

    def _check_once(self) -> None:
        page = self.page
        if not page.url.startswith("http"):
            return  # about:blank before the first navigation
        page.wait_for_load_state("load")
        kind, done = page.evaluate(
            "() => { const done = window.__axeChecked === true; window.__axeChecked = true;"
            " return [document.contentType, done]; }"
        )
        if done or kind != "text/html":
            return
        results = _AXE.run(page, options={"resultTypes": ["violations"]})
        CHECKED.append(page.url)
        violations = results.response["violations"]
        if violations:
            raise AccessibilityError(_report(page.url, violations))


def _report(url: str, violations: list[dict]) -> str:
    lines = [f"axe-core found {len(violations)} kind(s) of violation on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node['html'][:200]}")
    return "\n".join(lines)


def _sync(self, awaitable):
    __tracebackhide__ = True
    for watch in list(_WATCHED):
        watch.check()
    result = _ORIGINAL_SYNC(self, awaitable)
    for watch in list(_WATCHED):
        watch.check()
    return result


def watch(page) -> None:
    """Checks every document ``page`` shows from now on, until ``unwatch_all()``."""
    # A journey that failed before unwatching leaves its closed page behind.
    _WATCHED[:] = [item for item in _WATCHED if not item.page.is_closed()]
    if not _WATCHED:
        SyncBase._sync = _sync
    _WATCHED.append(_Watch(page))


def check_now(page) -> None:
    """Checks the page's current document now (the last page of a journey)."""
    for item in _WATCHED:
        if item.page is page:
            item.check()


def unwatch_all() -> None:
    _WATCHED.clear()
    SyncBase._sync = _ORIGINAL_SYNC
    keep = os.environ.get("REGISTER_AXE_PAGES")
    if keep:
        with Path(keep).open("a") as out:
            out.writelines(f"{url}\n" for url in CHECKED)
    CHECKED.clear()


def overflows(page) -> bool:
    """True when the document is wider than the viewport (horizontal scrolling of the body)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        " || document.body.scrollWidth > document.documentElement.clientWidth"
    )
