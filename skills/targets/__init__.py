"""Scheduling a target change (issue 16): a chief officer makes a new version of one of their
unit's resilience targets, from a future date, without the admin."""
