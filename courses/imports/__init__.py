"""Importing completions and lab records from CSV or XLSX: reading and checking a file, the
preview and the all-or-nothing apply (services), and the upload, preview and progress pages
(views, urls). The background run is a job (courses/jobs.py)."""
