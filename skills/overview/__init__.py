"""The coverage overview, expectations and trend over many units at /coverage/: the builders
(services: the one engine run over a scope), filters, tables, views and urls."""
