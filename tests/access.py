"""The URL × role access rules. Each app's ``tests/<app>/url_access.py`` exports ``RULES``:
``{"namespace:url_name": Rule(...)}``; ``tests/test_url_access.py`` walks every URL pattern of
the project and fails for any pattern without a rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ROLES = (
    "officer",
    "coordinator",
    "chief_officer",
    "regional_lead",
    "national_lead",
    "admin",
    "outsider",
)
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Rule:
    """``allowed`` roles get 200 on GET; every other role gets 403 or 404; anonymous users are
    sent to log in (unless ``public``). ``kwargs`` builds the URL's arguments from the cast
    (tests.conftest.Cast), e.g. ``lambda c: {"pk": c.colleague.pk}``."""

    allowed: frozenset[str]
    kwargs: Callable = field(default=lambda cast: {})
    public: bool = False
    # GET-only views are checked with GET; POST-only views answer 405 to GET, so set
    # ``method="post"`` to check them with an empty POST (allowed roles then get 200/302/400).
    method: str = "get"
    query: str = ""
    # Why a URL is skipped (e.g. a view already covered by another rule). Skips need a reason.
    skip: str = ""
