"""Who may open the identity pages: signing in through a force's directory, the account page,
active sessions, and the SCIM endpoint (format: tests/access.py)."""

from __future__ import annotations

from tests.access import EVERYONE, Rule

RULES = {
    # allauth.usersessions: the signed-in user's own sessions, with "sign out everywhere".
    "usersessions_list": Rule(allowed=EVERYONE),
}
