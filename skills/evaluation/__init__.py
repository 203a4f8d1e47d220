"""Specials and volunteers evaluation per unit (services), and the inspection pack of a force or
region built from it (pack), with their pages (views, urls) at /evaluation/."""
