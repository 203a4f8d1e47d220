"""Smoke journey against a running register, over real HTTP, as a user would (CI runs it).

    .venv/bin/python scripts/smoke.py http://127.0.0.1:8000

Expects the demo data (`seed_demo`) and a background worker. In Debian's chromium: /healthz,
the login page with its stylesheet applied, a coordinator's import confirmed and finished by
the worker, a unit report PDF downloaded. Fails (exit 1) on the first step that does not hold,
and on any Content-Security-Policy violation or failed request along the way.
"""

from __future__ import annotations

import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "register-demo-2025"
COORDINATOR = "coordinator@norfolk.police.uk"


def step(text: str) -> None:
    print(f"smoke: {text}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"smoke FAILED: {message}")


def main(base: str) -> int:
    with urllib.request.urlopen(f"{base}/healthz", timeout=30) as response:
        body = response.read().decode()
        check(response.status == 200 and "database: ok" in body, f"/healthz said {body!r}")
    step(f"/healthz 200: {' / '.join(body.split(chr(10))[1:3])}")

    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=base, accept_downloads=True)
        context.set_default_timeout(30_000)
        page = context.new_page()
        page.on(
            "console",
            lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

        page.goto("/accounts/login/")
        # GOV.UK Frontend's stylesheet sets the heading's font; unstyled pages use the default.
        font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
        check("arial" in font.lower() or "transport" in font.lower(), f"no CSS: font {font}")
        sheets = page.evaluate("[...document.styleSheets].map(s => s.href).filter(Boolean)")
        check(any("govuk-frontend" in href for href in sheets), f"stylesheets: {sheets}")
        step(f"login page styled ({len(sheets)} stylesheets, hashed names: {sheets[0]})")

        page.fill('input[name="login"]', COORDINATOR)
        page.fill('input[name="password"]', PASSWORD)
        page.locator('form button[type="submit"]').first.click()
        page.wait_for_load_state("domcontentloaded")
        check("/accounts/login/" not in page.url, "the coordinator could not sign in")
        step(f"signed in as {COORDINATOR}")

        # One new completion, dated today so that it is new on every run.
        csv = (
            "email,activity_code,completed_on\n"
            f"priya.shah@norfolk.police.uk,ROCU-CRYPTO,{date.today().isoformat()}\n"
        )
        with tempfile.TemporaryDirectory() as folder:
            upload = Path(folder) / "smoke-completions.csv"
            upload.write_text(csv)
            page.goto("/imports/")
            page.get_by_label("Completions", exact=False).first.check()
            page.set_input_files('input[type="file"]', str(upload))
            page.locator('form button[type="submit"], form input[type="submit"]').last.click()
            page.wait_for_load_state("domcontentloaded")
        confirm = page.get_by_role("button", name="Import")
        check(confirm.count() > 0, f"no Import button on the preview: {page.url}")
        confirm.first.click()
        page.wait_for_load_state("domcontentloaded")
        job_page = page.url
        check("/imports/jobs/" in job_page, f"confirming did not lead to a job's page: {job_page}")
        deadline = time.monotonic() + 120
        while True:
            # The page updates itself; reading it fresh each second sees the outcome either way.
            time.sleep(1)
            page.goto(job_page)
            heading = page.inner_text("h1")
            if "fail" in heading.lower() or "not imported" in heading.lower():
                raise SystemExit(f"smoke FAILED: the import job failed: {page.inner_text('main')}")
            if "imported" in heading.lower():
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"smoke FAILED: the import did not finish: {heading}")
        step(f"import confirmed and finished by the background worker: {heading}")

        with page.expect_download(timeout=180_000) as download:
            page.evaluate("url => { window.location.href = url }", "/units/NOR-SCT/report.pdf")
        pdf = Path(download.value.path()).read_bytes()
        check(pdf.startswith(b"%PDF-"), "the report download is not a PDF")
        step(f"unit report PDF downloaded ({len(pdf):,} bytes)")
        browser.close()

    check(not problems, "problems in the browser: " + "; ".join(problems))
    step("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
