"""The layout's rules (docs/architecture.md), checked over the source: no private name of the
coverage engine is imported outside it, and nothing in people/ or courses/ imports a view,
URL module or form of skills/ (the apps meet at models and the engine, not at pages)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("skills", "people", "courses", "config")


def _imports(path: Path):
    """(module, name) for every ``from module import name`` and (module, None) for
    ``import module``, at any depth of the file (imports inside functions count)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                yield node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None


def _sources(*folders: str):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _is_page_module(module: str, name: str | None) -> bool:
    """skills.report.views, skills.views_x, skills.<feature>.views / urls / forms, skills.urls*."""
    parts = module.split(".")
    if parts[0] != "skills":
        return False
    full = parts + ([name] if name else [])
    return any(
        p == "views" or p.startswith(("views_", "urls")) or p in ("forms",) for p in full[1:]
    )


def test_no_private_name_of_the_coverage_engine_is_imported_outside_it():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in _sources(*APPS, "tests", "scripts")
        if "coverage" not in path.relative_to(ROOT).parts[:2]
        for module, name in _imports(path)
        if module.startswith("skills.coverage") and name and name.startswith("_")
    ]
    assert offenders == []


def test_no_private_name_is_imported_from_another_module_of_the_project():
    """A module's underscore names are its own; what others need is public."""
    offenders = [
        f"{path.relative_to(ROOT)}: {module}.{name}"
        for path in _sources(*APPS, "scripts")
        for module, name in _imports(path)
        if module.split(".")[0] in APPS and name and name.startswith("_")
    ]
    assert offenders == []


def test_features_are_packages_not_flat_modules():
    """One naming scheme: a feature's pages are ``<app>/<feature>/views.py`` (or the app's own
    ``views.py``), never ``views_x.py``, ``x_views.py``, ``urls_x.py`` or ``x_models.py``."""
    flat = [
        str(path.relative_to(ROOT))
        for app in ("skills", "people", "courses")
        for path in sorted((ROOT / app).glob("*.py"))
        if path.stem.startswith(("views_", "urls_", "models_"))
        or path.stem.endswith(("_views", "_urls", "_models"))
    ]
    assert flat == []


@pytest.mark.parametrize("app", ["people", "courses"])
def test_people_and_courses_import_no_page_of_skills(app):
    offenders = [
        f"{path.relative_to(ROOT)}: {module}{'.' + name if name else ''}"
        for path in _sources(app)
        for module, name in _imports(path)
        if _is_page_module(module, name)
    ]
    assert offenders == []


def test_the_rules_see_an_offence():
    """The checks above find what they look for (a check that cannot fail is a defect)."""
    assert _is_page_module("skills.evaluation.views", "units_evaluated_by")
    assert _is_page_module("skills.actions", "views")
    assert _is_page_module("skills.actions.forms", "ActionForm")
    assert not _is_page_module("skills.coverage", "build_unit_report")
    assert not _is_page_module("skills.models.actions", "ActionReminder")
