"""Calendar arithmetic for "as of" figures (DESIGN.md: dates are calendar dates), and the one
check of a date someone asks a figure for (``?as_of=``, ``?month=``)."""

from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

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


# The dates a figure may be asked for. Reports look years back (trends) and ahead (forecasts)
# of the as-of date; these bounds keep that arithmetic well inside what a date can hold, and
# no record of the register is older or younger.
EARLIEST_AS_OF = date(2000, 1, 1)
LATEST_AS_OF = date(2099, 12, 31)
AS_OF_RANGE_MESSAGE = f"Enter a date from {EARLIEST_AS_OF:%-d %B %Y} to {LATEST_AS_OF:%-d %B %Y}"


def check_as_of(day: date | None) -> None:
    """Refuses a date outside the range a figure may be asked for (a form validator)."""
    if day is not None and not EARLIEST_AS_OF <= day <= LATEST_AS_OF:
        raise ValidationError(AS_OF_RANGE_MESSAGE, code="as_of_range")


def parse_as_of(raw: str | None, *, default: date) -> date:
    """``?as_of=YYYY-MM-DD``: ``default`` when blank; ValidationError saying what to enter
    when it is not a date, or outside the range."""
    raw = (raw or "").strip()
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(
            "Enter the date as YYYY-MM-DD, for example 2025-03-31", code="as_of_invalid"
        )
    check_as_of(day)
    return day


def check_month(year: int, month: int) -> None:
    """Refuses a ``?month=YYYY-MM`` outside the range a figure may be asked for."""
    if not 1 <= month <= 12 or not EARLIEST_AS_OF.year <= year <= LATEST_AS_OF.year:
        raise ValidationError(
            f"Enter a month from {EARLIEST_AS_OF:%Y-%m} to {LATEST_AS_OF:%Y-%m}",
            code="month_range",
        )
