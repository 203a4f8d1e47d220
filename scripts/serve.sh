#!/usr/bin/env bash
# `make serve`: the register as production runs it, on this machine: DEBUG off, static files
# collected and served by whitenoise, gunicorn in front and the background worker beside it,
# against DATABASE_URL (SQLite in the project folder when unset). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

export DJANGO_DEBUG=0
if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
  # A key of this machine's own, kept so that sessions survive a restart.
  mkdir -p var
  [ -s var/serve-secret-key ] || $PY -c "import secrets; print(secrets.token_urlsafe(50))" > var/serve-secret-key
  chmod 600 var/serve-secret-key
  DJANGO_SECRET_KEY=$(cat var/serve-secret-key)
  export DJANGO_SECRET_KEY
fi
export DJANGO_ALLOWED_HOSTS=${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}
export REGISTER_BIND=${REGISTER_BIND:-127.0.0.1:${PORT:-8000}}

$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput --verbosity 0

$PY manage.py worker &
worker=$!
trap 'kill -TERM "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

echo "Serving on http://$REGISTER_BIND with production settings (worker pid $worker)"
.venv/bin/gunicorn -c config/gunicorn.py config.wsgi
