"""Inspection actions tracked to closure (docs/actions.md): services (rules, import, reminders),
forms, tables, views and urls. The models live in skills/models/actions.py."""
