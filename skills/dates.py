"""Calendar arithmetic for "as of" figures (DESIGN.md: dates are calendar dates)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

# DESIGN.md: "expiring" and "met" look 90 days ahead of the as-of date.
LOOKAHEAD_DAYS = 90


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, keeping the day of the month clamped to the
    month's last day (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=months)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    return day + relativedelta(day=31)


def month_ends_after(day: date, count: int) -> list[date]:
    """``count`` month ends after ``day``: the first is the end of ``day``'s month if that is
    after ``day``, else the end of the next month (DESIGN.md, Forecast)."""
    first = month_end(day)
    if first <= day:
        first = month_end(day + timedelta(days=1))
    return [month_end(first + relativedelta(months=i, day=1)) for i in range(count)]
