#!/bin/sh
# The image's entrypoint: refuse to start without a real SECRET_KEY, then run the command
# (gunicorn, a Celery worker or beat, manage.py ...). Settings refuse too, but only once Python
# has imported them; this names the fix before anything else runs.
set -eu

case "${SECRET_KEY:-}" in
  "")
    echo "factcheck: SECRET_KEY is not set; the container will not start without one." >&2
    echo "  Set it to a long random string, the same for every service, e.g." >&2
    echo "  export SECRET_KEY=\$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" >&2
    exit 78  # EX_CONFIG
    ;;
  django-insecure-*)
    echo "factcheck: SECRET_KEY is a development key (django-insecure-...); set a random one." >&2
    exit 78
    ;;
esac

exec "$@"
