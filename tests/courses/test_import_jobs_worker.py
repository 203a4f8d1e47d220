"""Imports through a real ``db_worker`` process (docs/jobs.md), end to end.

pytest-django's in-memory SQLite database cannot be shared with another process, so these
tests migrate a file-backed SQLite database of their own and drive it only through
subprocesses (``manage.py shell`` to set up and to look, ``manage.py db_worker`` to work),
exactly as a deployment would: the web process queues, the worker runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import json, sys
from datetime import date
from courses import jobs
from courses.models import Activity, ActivityKind
from people.models import Force, Grant, Person, PersonType, Region, Role, Unit, User

people, labs = int(sys.argv[1]), int(sys.argv[2])
region = Region.objects.create(code="eastern", name="Eastern")
force = Force.objects.create(code="norfolk", name="Norfolk Constabulary", region=region)
user = User.objects.create_user("coordinator@norfolk.police.uk", "not-a-real-password-1")
Grant.objects.create(user=user, role=Role.COORDINATOR, force=force)
Person.objects.bulk_create(
    Person(force=force, staff_number=str(10000 + n), first_name="P", last_name=str(n),
           email=f"p{n}@norfolk.police.uk", person_type=PersonType.OFFICER)
    for n in range(people)
)
for n in range(labs):
    Activity.objects.create(code=f"LAB-{n:02d}", kind=ActivityKind.LAB, provider="Range",
                            title=f"Lab {n}")
lines = ["email,lab,completed_on"]
lines += [f"p{p}@norfolk.police.uk,LAB-{n:02d},2025-01-{1 + n % 28:02d}"
          for p in range(people) for n in range(labs)]
jobs.import_dir().mkdir(parents=True, exist_ok=True)
token = "worker-test-token"
jobs.upload_path(token, "labs.csv").write_text("\\n".join(lines) + "\\n")
job, _ = jobs.start_import_apply(user=user, token=token, kind="labs", filename="labs.csv")
print(json.dumps({"job": job.pk, "rows": len(lines) - 1}))
"""

LOOK = """
import json, sys
from courses import jobs
from courses.models import Completion, Job
job = jobs.check_alive(Job.objects.get(pk=int(sys.argv[1])))
print(json.dumps({"status": job.status, "failure": job.failure, "outcome": job.outcome,
                  "completions": Completion.objects.count()}))
"""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test."""
    folder = tmp_path_factory.mktemp("worker-db")
    database = folder / "register.sqlite3"
    run(["migrate", "--noinput", "-v", "0"], environment(database, folder))
    return database


def environment(database: Path, folder: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings_test",
        DATABASE_URL=f"sqlite:///{database}",
        REGISTER_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        REGISTER_EVIDENCE_ROOT=str(folder / "evidence"),
        REGISTER_LOG_LEVEL="WARNING",
    )
    return env


def run(arguments: list[str], env: dict, *, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def shell(script: str, env: dict, *arguments) -> dict:
    """Runs ``script`` in ``manage.py shell`` with ``arguments`` as sys.argv[1:]."""
    code = f"import sys; sys.argv = ['x', *{[str(a) for a in arguments]!r}]\n" + script
    output = run(["shell", "-c", code], env)
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture
def database(migrated, tmp_path) -> tuple[Path, dict]:
    copy = tmp_path / "register.sqlite3"
    shutil.copy(migrated, copy)
    return copy, environment(copy, tmp_path)


def test_an_import_confirmed_on_the_web_is_done_by_the_worker(database):
    _path, env = database
    queued = shell(SETUP, env, 40, 5)  # 200 rows
    before = shell(LOOK, env, queued["job"])
    assert (before["status"], before["completions"]) == ("queued", 0)

    run(["db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0"], env)

    after = shell(LOOK, env, queued["job"])
    assert after["status"] == "done"
    assert after["outcome"]["created"] == queued["rows"] == 200
    assert after["completions"] == 200


def test_killing_the_worker_mid_import_writes_nothing_and_fails_the_job(database):
    path, env = database
    queued = shell(SETUP, env, 3000, 20)  # 60,000 rows: about a minute of writing on SQLite
    journal = path.with_name(path.name + "-journal")
    worker = subprocess.Popen(
        # --no-reload: with DEBUG on, the autoreloader would run the worker in a child process
        # that outlives the SIGKILL below.
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The worker is in the middle of the import once its transaction has written rows:
        # SQLite then keeps a rollback journal beside the database file.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if journal.exists() and journal.stat().st_size > 0 and status(path, queued["job"]):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the worker never started writing the import")
        time.sleep(1.0)  # a few chunks further in
        assert worker.poll() is None, "the worker finished before it could be killed"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    after = shell(LOOK, env, queued["job"])
    assert after["completions"] == 0
    assert after["status"] == "failed"
    assert after["failure"].startswith("The background worker stopped before the import finished")


def status(path: Path, job_id: int) -> bool:
    """True once the job is marked running (read without waiting for the writer's lock)."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05) as connection:
            row = connection.execute(
                "SELECT status FROM courses_job WHERE id = ?", [job_id]
            ).fetchone()
    except sqlite3.OperationalError:
        return True  # locked: the writer holds it, and it set running before it began
    return row is not None and row[0] == "running"
