"""The overview's SQL cut (``holdings.may_count_on``) is derived from the expiry and collection
window rules themselves, so that it can never disagree with them (issue 12)."""

from datetime import date, timedelta

import pytest

from skills.coverage import holdings
from skills.coverage.holdings import (
    NEVER,
    completion_expiry,
    expiry_cut,
    last_not_counting,
    window_cut,
    window_end,
)

DAYS = [
    date(2026, 1, 31),
    date(2026, 2, 28),
    date(2024, 2, 29),
    date(2025, 3, 31),
    date(2025, 7, 1),
]


@pytest.mark.parametrize("day", DAYS)
@pytest.mark.parametrize("months", [1, 3, 12, 24, 36])
def test_the_cut_is_exactly_where_the_rules_stop_counting(day, months):
    cut = expiry_cut(day, months)
    assert completion_expiry(cut, None, months) <= day
    assert completion_expiry(cut + timedelta(days=1), None, months) > day
    cut = window_cut(day, months)
    assert window_end(cut, months) <= day
    assert window_end(cut + timedelta(days=1), months) > day


def test_no_validity_means_no_cut():
    assert expiry_cut(date(2026, 1, 31), None) is None
    assert window_cut(date(2026, 1, 31), None) is None


def test_a_rule_that_never_ends_gives_no_cut():
    # What scripts/fuzz_mutations.py does to the rule: the cut follows it, it does not copy it.
    assert last_not_counting(date(2026, 1, 31), lambda on: NEVER) is None
    assert last_not_counting(date(2026, 1, 31), lambda on: on) == date(2026, 1, 31)


def test_may_count_on_follows_the_rules(monkeypatch):
    rules = holdings.HoldingRules(
        evidences={1: ((5, 1),), 2: ((5, 1),)},
        validity={1: 12, 2: None, 3: 6},
        collections_of_lab={2: (3,)},
        threshold={3: 1},
    )
    day = date(2026, 3, 31)
    assert "datetime.date(2025, 3, 31)" in str(holdings.may_count_on(day, rules))  # 12 months
    assert "datetime.date(2025, 9, 30)" in str(holdings.may_count_on(day, rules))  # window
    expiry_cut.cache_clear()
    window_cut.cache_clear()
    monkeypatch.setattr(holdings, "completion_expiry", lambda on, own, months: own or NEVER)
    monkeypatch.setattr(holdings, "window_end", lambda on, months: NEVER)
    try:
        q = str(holdings.may_count_on(day, rules))
        assert "completed_on__gt" not in q
    finally:
        expiry_cut.cache_clear()
        window_cut.cache_clear()
