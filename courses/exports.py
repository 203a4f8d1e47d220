"""Helpers every export (CSV, XLSX) uses so that cell text is never run as a formula."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# Spreadsheet programs treat a cell starting with one of these as a formula (or DDE command);
# the full-width forms (＝ ＋ － ＠) are read as formulas by some programs and locales too.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """The value with a leading ``'`` if it is text a spreadsheet would read as a formula;
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_row(values: Iterable[Any]) -> list[Any]:
    """``neutralise`` applied to every cell of a row."""
    return [neutralise(value) for value in values]
