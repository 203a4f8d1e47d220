"""Work too big for a request, done by the background worker: a large unit's report PDF, a
force or region's inspection pack, a large scope's trend (``services``), and their progress
and download pages (``views``). docs/jobs.md lists every kind of job."""
