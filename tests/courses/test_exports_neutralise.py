"""Cell text a spreadsheet would run as a formula is prefixed with ' in every export."""

from datetime import date

import pytest

from courses.exports import neutralise, neutralise_row


@pytest.mark.parametrize(
    "value",
    ["=cmd|' /C calc'!A0", "+44 1603 000000", "-1", "@SUM(A1:A9)", "\tx", "\r=1"],
)
def test_formula_looking_text_gets_a_leading_quote(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Jane Smith", "GCFE-1234", "", "1=1", "a+b"])
def test_ordinary_text_is_unchanged(value):
    assert neutralise(value) == value


def test_numbers_dates_and_none_are_unchanged():
    assert neutralise(-5) == -5
    assert neutralise(None) is None
    assert neutralise(date(2025, 3, 31)) == date(2025, 3, 31)


def test_a_whole_row_is_neutralised():
    assert neutralise_row(["=1+1", "ok", 3]) == ["'=1+1", "ok", 3]
