"""gunicorn's configuration for the register: `gunicorn -c config/gunicorn.py config.wsgi`.

Every value can be set from the environment (docs/deploy.md). Work that can outlast a request
(imports, large PDFs, packs) runs in the background worker, so a request that takes longer
than the timeout is a fault, not a slow page.
"""

import multiprocessing
import os

bind = os.environ.get("REGISTER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("REGISTER_WEB_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("REGISTER_WEB_THREADS", "1"))
# A worker silent this long is killed and replaced; the request gets a 502 from the proxy.
timeout = int(os.environ.get("REGISTER_WEB_TIMEOUT", "60"))
# On HUP or TERM, requests in flight get this long to finish: restarts drop nothing.
graceful_timeout = int(os.environ.get("REGISTER_WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so slow growth in memory never reaches the limit.
max_requests = int(os.environ.get("REGISTER_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Only the proxy in front may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("REGISTER_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The register logs one line per request itself, with ids only (config/logging.py); gunicorn's
# access log would add paths and query strings, which can carry search terms.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("REGISTER_WEB_LOG_LEVEL", "info")
proc_name = "cyber-skills-register"
