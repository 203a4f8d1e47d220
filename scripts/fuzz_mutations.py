"""Shows that the fuzz test (tests/reference) catches a broken rule: for each mutation, copy
the repository (its committed HEAD; ``--worktree`` for the working tree) to a temporary
folder, break one rule of the coverage engine there, run the fuzz test in the copy, and
report whether it failed. The working tree is never modified.

    .venv/bin/python scripts/fuzz_mutations.py [--seeds N] [--worktree]

Each mutation is a text replacement; if the engine has moved and its text is not found, the
mutation is reported as "not applied" (update the anchor), never as caught.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Where the rules live: the engine package, and the posting rule in people's models (a
# package since the layout change; a module before it: whichever exists).
ENGINE = ("skills/coverage", "people/models", "people/models.py")

# (name, old text, new text): each breaks one DESIGN.md rule, once, where it is written; the
# unit report, the overview and the trend all read it, so the fuzz test must fail on each
# path (the "paths" of the failure line name them: unit, overview, trend, person, ...).
# Every rule below is read by both the unit report and the overview: a mutation that fails
# the fuzz test on one path only counts as missed on the other (MUST_FAIL_ON).
MUST_FAIL_ON = ("unit", "overview")
MUTATIONS = [
    (
        "two postings count once (compliance counts a person's requirement per posting)",
        "        if key not in seen:\n",
        "        if True:\n",
    ),
    (
        "the collection window (a lab completion stays in the window for ever)",
        "return NEVER if not months else add_months(completed_on, months)",
        "return NEVER",
    ),
    (
        "the grace period (the deadline is the posting's start)",
        "return add_months(max(posting_start, grace_from), grace_months)",
        "return max(posting_start, grace_from)",
    ),
    (
        "expiry (a completion without its own expiry never expires)",
        "return add_months(completed_on, months) if months else NEVER",
        "return NEVER",
    ),
    (
        "single point of failure (two holders also count as one point of failure)",
        "return holders[0] if len(holders) == 1 else None",
        "return holders[0] if len(holders) in (1, 2) else None",
    ),
    (
        "in post on D (the last day in post no longer counts)",
        "(self.last_day is None or day <= self.last_day)",
        "(self.last_day is None or day < self.last_day)",
    ),
    (
        "the last funded day (a fund's end is ignored)",
        "    return min(days) if days else None\n",
        "    return end\n",
    ),
]


def copy_repo(dest: Path, worktree: bool) -> None:
    """The committed HEAD (default: others' uncommitted edits stay out), or the working tree."""
    if worktree:
        ignore = shutil.ignore_patterns(
            ".git", ".venv", "node_modules", "__pycache__", "var", "*.sqlite3"
        )
        shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
        return
    dest.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)


def apply(copy: Path, old: str, new: str) -> list[str]:
    changed = []
    for folder in ENGINE:
        where = copy / folder
        if not where.exists():
            continue
        for path in [where] if where.is_file() else sorted(where.rglob("*.py")):
            text = path.read_text()
            if old in text:
                path.write_text(text.replace(old, new))
                changed.append(str(path.relative_to(copy)))
    return changed


def run_fuzz(copy: Path, seeds: int) -> tuple[int, dict[str, int], str]:
    env = dict(os.environ, FUZZ_SEEDS=str(seeds))
    env.pop("FUZZ_SEED", None)
    proc = subprocess.run(
        [
            str(ROOT / ".venv/bin/pytest"),
            "tests/reference/test_fuzz.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    out = proc.stdout.splitlines()
    # The assertion's message, one per failing seed ("E   AssertionError: ..."; pytest also
    # prints the source line, with "{by_path}" in it, and repeats the message in its short
    # summary): the differences per path, summed over the seeds.
    paths: dict[str, int] = {}
    for ln in out:
        if "(paths: " not in ln or "{" in ln or not ln.startswith("E "):
            continue
        for part in ln.split("(paths: ", 1)[1].split(")")[0].split(", "):
            path, _, n = part.rpartition(" ")
            paths[path] = paths.get(path, 0) + int(n)
    firsts = {}
    for ln in out:
        text = ln.strip().lstrip("E").strip()
        if "!= reference" in text and not text.startswith(("assert", "'", '"')):
            firsts.setdefault(text.split(" ", 1)[0], text)
    summary = out[-1].strip() if out else proc.stderr[-300:]
    by_path = ", ".join(f"{path} {n}" for path, n in sorted(paths.items()))
    lines = [f"paths failing (differences over all seeds): {by_path}"] if paths else []
    lines += [f"e.g. {text[:160]}" for text in firsts.values()]
    return proc.returncode, paths, "\n    ".join([*lines, summary])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument(
        "--worktree", action="store_true", help="copy the working tree instead of HEAD"
    )
    args = parser.parse_args()
    missed = 0
    with tempfile.TemporaryDirectory(prefix="fuzz-mutations-") as tmp:
        base = Path(tmp) / "clean"
        copy_repo(base, args.worktree)
        code, _, summary = run_fuzz(base, args.seeds)
        print(f"unmutated engine: {'passes' if code == 0 else 'FAILS'}\n    {summary.strip()}")
        if code != 0:
            return 1
        for i, (name, old, new) in enumerate(MUTATIONS):
            copy = Path(tmp) / f"mutant-{i}"
            shutil.copytree(base, copy, symlinks=True)
            changed = apply(copy, old, new)
            if not changed:
                print(f"NOT APPLIED: {name}: anchor not found in {', '.join(ENGINE)}")
                missed += 1
                continue
            code, paths, summary = run_fuzz(copy, args.seeds)
            silent = [path for path in MUST_FAIL_ON if path not in paths]
            if code == 0:
                verdict = "fuzz test passes (MISSED)"
            elif silent:
                verdict = f"fuzz test FAILS, but not through {', '.join(silent)} (MISSED there)"
            else:
                verdict = f"fuzz test FAILS (caught through {', '.join(MUST_FAIL_ON)})"
            missed += code == 0 or bool(silent)
            print(f"broken: {name} [{', '.join(changed)}]: {verdict}\n    {summary.strip()}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
