"""Checks issue 11's acceptance for a big import under production settings, and prints what it saw.

    .venv/bin/python scripts/check_import_kill.py [--rows 250000] [--kill-at 0.3]

Against PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/register_kill: the
database is dropped and created afresh) it runs `scripts/serve.sh` (gunicorn with DEBUG off,
whitenoise, the background worker), creates 5,000 bench people and their coordinator
(scripts/bench_import.py's helpers) and writes a --rows lab export. Then, in chromium:

1. the coordinator uploads the file, waits for the check and confirms it; when the progress page
   shows --kill-at of the rows done, the worker is killed (SIGKILL). The job's page must then say
   the import failed, with a message, and the database must hold 0 bench completions.
2. a new worker is started; the file is uploaded and confirmed again and must complete in the
   background, the page showing progress, with every row written and no answer >= 500.

A benchmark-like check, not a test: it takes minutes. Exit 1 when something does not hold.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
COORDINATOR = "bench.coordinator@bench.police.uk"
PASSWORD = "check-import-kill-2026"

SETUP = """
import sys
sys.argv = ["bench"]
from scripts import bench_import as b
from courses.models import Activity, ActivityKind
from allauth.account.models import EmailAddress
from people.models import User
emails = b.ensure_people(5000)
user = User.objects.get(email=b.COORDINATOR)
user.set_password({password!r})
user.save()
EmailAddress.objects.get_or_create(
    user=user, email=user.email, defaults=dict(verified=True, primary=True)
)
labs = list(Activity.objects.filter(kind=ActivityKind.LAB).order_by("code"))
b.write_export(__import__("pathlib").Path({path!r}), emails, labs, {rows})
"""

COUNT = (
    "from courses.models import Completion; "
    "print(Completion.objects.filter(person__force__code='bench').count())"
)


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def fail(text: str) -> None:
    raise SystemExit(f"check FAILED: {text}")


def manage(env: dict, *args: str, quiet: bool = True) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        fail(f"manage.py {' '.join(args[:1])}: {done.stderr[-2000:]}")
    return done.stdout


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_completions(env: dict) -> int:
    return int(manage(env, "shell", "-c", COUNT).strip().splitlines()[-1])


def upload_and_confirm(page, csv: Path, log: list[str]) -> str:
    """Uploads ``csv`` as a labs export, waits for its check and confirms: the job's URL."""
    page.goto("/imports/")
    page.locator('input[value="labs"]').check()
    page.set_input_files('input[type="file"]', str(csv))
    started = time.monotonic()
    page.locator('form button[type="submit"], form input[type="submit"]').last.click()
    page.wait_for_load_state("domcontentloaded")
    say(f"uploaded {csv.stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.1f} s")
    last = ""
    preview_url = page.url
    while True:
        try:
            page.goto(preview_url)
            if page.get_by_role("button", name="Import").count():
                break
            if "Checking the file" not in page.inner_text("h1"):
                fail(f"no Import button and no check under way: {page.inner_text('main')[:500]}")
            rows = page.inner_text("[data-job-rows]").strip()
        except PlaywrightError:  # the page's own script moved on as we read it
            continue
        if rows != last:
            log.append(f"checking: {rows}")
            last = rows
        time.sleep(3)
    say(f"checked in {time.monotonic() - started:.0f} s; {log[-1] if log else ''}")
    page.get_by_role("button", name="Import").first.click()
    page.wait_for_load_state("domcontentloaded")
    if "/imports/jobs/" not in page.url:
        fail(f"confirming did not lead to a job's page: {page.url}")
    return page.url


def rows_done(page) -> tuple[int, int]:
    text = page.inner_text("[data-job-rows]")
    numbers = [int(n.replace(",", "")) for n in re.findall(r"[\d,]+(?=\s)", text + " ")]
    return (numbers[0], numbers[1]) if len(numbers) >= 2 else (numbers[0] if numbers else 0, 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--kill-at", type=float, default=0.3)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/register_kill"),
    )
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="check-import-kill-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": options.database,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "REGISTER_EVIDENCE_ROOT": str(folder / "evidence"),
        "REGISTER_BIND": f"127.0.0.1:{port}",
        "PORT": str(port),
        # The bench coordinator has no TOTP; the MFA policy itself is tested in the suite.
        "REGISTER_MFA_REQUIRED_ROLES": "",
    }
    say(f"fresh database {urlparse(options.database).path.lstrip('/')}, files in {folder}")
    fresh_database(options.database)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_catalogue")
    csv = folder / "labs.csv"
    manage(env, "shell", "-c", SETUP.format(password=PASSWORD, path=str(csv), rows=options.rows))
    say(f"wrote {csv.name}: {options.rows:,} rows, {csv.stat().st_size / 1e6:.1f} MB")

    serve = subprocess.Popen(
        ["bash", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=open(folder / "serve.log", "w"),  # noqa: SIM115 - lives as long as the server
        text=True,
        start_new_session=True,
    )
    workers: list[subprocess.Popen] = []
    try:
        worker_pid = None
        for line in serve.stdout:
            if match := re.search(r"worker pid (\d+)", line):
                worker_pid = int(match.group(1))
                break
        if worker_pid is None:
            fail("scripts/serve.sh did not start")
        say(f"scripts/serve.sh: gunicorn on 127.0.0.1:{port}, DEBUG off, worker pid {worker_pid}")
        errors: list[str] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
            context.set_default_timeout(120_000)
            page = context.new_page()
            page.on(
                "response",
                lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None,
            )
            for _ in range(60):
                try:
                    page.goto("/accounts/login/")
                    break
                except Exception:  # noqa: BLE001 - gunicorn still starting
                    time.sleep(1)
            font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
            say(f"login page font: {font} (the CSS loads)")
            page.fill('input[name="login"]', COORDINATOR)
            page.fill('input[name="password"]', PASSWORD)
            page.locator('form button[type="submit"]').first.click()
            page.wait_for_load_state("domcontentloaded")
            if "/accounts/login/" in page.url:
                fail("the bench coordinator could not sign in")

            # 1. killed mid-import
            say("run 1: upload, check, confirm; kill the worker mid-import")
            log: list[str] = []
            job_url = upload_and_confirm(page, csv, log)
            while True:
                try:
                    page.goto(job_url)
                    if page.locator("[data-job-rows]").count() == 0:
                        fail(f"the import ended before the kill: {page.inner_text('main')[:300]}")
                    done, total = rows_done(page)
                    say(f"progress page: {page.inner_text('[data-job-rows]').strip()}")
                except PlaywrightError:
                    continue
                if total and done >= options.kill_at * total:
                    break
                time.sleep(3)
            os.kill(worker_pid, signal.SIGKILL)
            say(f"killed the worker (pid {worker_pid}) with SIGKILL at {done:,} of {total:,} rows")
            time.sleep(2)
            page.goto(job_url)
            heading = page.inner_text("h1")
            body = page.inner_text("main")
            say(f"job page after the kill: {heading!r}: {' '.join(body.split())[:400]}")
            if "not imported" not in heading:
                fail("the job's page does not say the import failed")
            written = bench_completions(env)
            say(f"bench completions in the database after the kill: {written}")
            if written != 0:
                fail(f"{written} rows were written by the killed import")

            # 2. a new worker; the same file again, to the end
            log_file = open(folder / "worker2.log", "w")  # noqa: SIM115
            workers.append(
                subprocess.Popen(
                    [PY, "manage.py", "worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
            say(f"run 2: a new worker (pid {workers[0].pid}); upload, check, confirm again")
            log = []
            job_url = upload_and_confirm(page, csv, log)
            started = time.monotonic()
            samples = []
            while True:
                try:
                    page.goto(job_url)
                    if page.locator("[data-job-rows]").count() == 0:
                        break
                    rows = page.inner_text("[data-job-rows]").strip()
                    samples.append(f"{time.strftime('%H:%M:%S')} {rows}")
                except PlaywrightError:
                    continue
                time.sleep(5)
            heading = page.inner_text("h1")
            body = " ".join(page.inner_text("main").split())
            for sample in samples[:: max(1, len(samples) // 8)]:
                say(f"progress page at {sample}")
            say(f"after {time.monotonic() - started:.0f} s: {heading!r}: {body[:300]}")
            if "File imported" not in heading:
                fail("the import did not complete")
            written = bench_completions(env)
            say(f"bench completions in the database: {written:,}")
            if written != options.rows:
                fail(f"{written} rows written, {options.rows} expected")
            browser.close()
        say(f"answers >= 500 seen by the browser: {len(errors)} {errors[:5]}")
        if errors:
            fail("the server answered with errors")
        timeouts = (folder / "serve.log").read_text().count("WORKER TIMEOUT")
        say(f"gunicorn worker timeouts in its log: {timeouts}")
        if timeouts:
            fail("a gunicorn worker timed out")
        say("passed")
        return 0
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
