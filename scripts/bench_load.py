"""Load benchmark (not a test): gunicorn with production settings, logged-in clients on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/register_load \\
        .venv/bin/python scripts/bench_load.py [--clients 10 25 50] [--seconds 30] [--seed]

Starts gunicorn (config/gunicorn.py, DEBUG off, whitenoise, a throw-away secret key) on a free
loopback port against DATABASE_URL, signs in once per role, then for each client count runs
that many threads, each looping over the pages below for a bounded time with its role's
session and a think time between pages (`--think`, 1 s mean; 0 for a closed loop). Prints
requests, errors and p50/p95/max per page. `--seed` migrates and loads the catalogue and
`seed_demo` first (add `--scale national` to seed the national data set).
Figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "register-demo-2025"
# (label, login, path): what each kind of user opens most.
PAGES = [
    ("pathway", "priya.shah@norfolk.police.uk", "/me/"),
    ("people list", "coordinator@norfolk.police.uk", "/people/"),
    ("unit report", "coordinator@norfolk.police.uk", "/units/NSJ-CCU/report/"),
    ("coverage overview", "chief.officer@norfolk.police.uk", "/coverage/"),
    # A small unit's PDF: a large unit's is drawn by the background worker (skills.jobs.services).
    ("unit report PDF", "coordinator@norfolk.police.uk", "/units/NOR-SCT/report.pdf"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SETTINGS_MODULE="config.settings",
        REGISTER_BIND=f"127.0.0.1:{port}",
        REGISTER_LOG_LEVEL="WARNING",
        # The demo logins have no TOTP; the policy itself is covered by the identity tests.
        REGISTER_MFA_REQUIRED_ROLES="",
    )
    return env


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def log_in(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = _opener()
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    final = opener.open(request, timeout=30)
    if "/accounts/login/" in final.geturl():
        raise SystemExit(f"could not sign in as {email}")
    return opener


def run(base: str, sessions, clients: int, seconds: float, think: float):
    timings: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(number: int) -> None:
        index = number  # clients start on different pages
        while time.monotonic() < deadline:
            label, email, path = PAGES[index % len(PAGES)]
            index += 1
            started = time.monotonic()
            try:
                with sessions[email].open(f"{base}{path}", timeout=120) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                ok = False
            elapsed = time.monotonic() - started
            with lock:
                timings[label].append(elapsed)
                if not ok:
                    errors[label] += 1
            # A person reads a page before opening the next one.
            time.sleep(think * (0.5 + random.random()))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds a client waits between pages"
    )
    parser.add_argument("--seed", action="store_true", help="migrate, load catalogue and demo")
    parser.add_argument("--scale", default="", help="passed to seed_demo --scale")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("note: DATABASE_URL is not PostgreSQL; figures are not production-like")

    port = _free_port()
    env = _environment(port)
    if args.seed:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "load_catalogue")
        _manage(env, "seed_demo", *(["--scale", args.scale] if args.scale else []))
    _manage(env, "collectstatic", "--noinput", "-v0")
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=10)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        sessions = {email: log_in(base, email) for email in {email for _, email, _ in PAGES}}
        workers = env.get("REGISTER_WEB_WORKERS", f"{os.cpu_count() * 2 + 1} (default)")
        print(
            f"gunicorn workers: {workers}; {args.seconds:.0f} s per run; think time "
            f"{args.think:.1f} s mean; {os.cpu_count()} cores"
        )
        print(f"{'clients':>7}  {'page':<18} {'requests':>8} {'errors':>6} "
              f"{'p50 s':>7} {'p95 s':>7} {'max s':>7}")  # fmt: skip
        for clients in args.clients:
            timings, errors = run(base, sessions, clients, args.seconds, args.think)
            for label, _, _ in PAGES:
                values = timings[label]
                print(
                    f"{clients:>7}  {label:<18} {len(values):>8} {errors[label]:>6} "
                    f"{_quantile(values, 0.5):>7.3f} {_quantile(values, 0.95):>7.3f} "
                    f"{max(values, default=0):>7.3f}"
                )
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


if __name__ == "__main__":
    sys.exit(main())
