"""The officer's own pages at /me/ (views, urls) and what they show (services)."""
