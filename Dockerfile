# One image for the web app (gunicorn) and the Celery worker.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY factcheck ./factcheck
COPY annotations ./annotations
COPY frontend ./frontend
COPY manage.py ./
COPY docker/entrypoint.sh /usr/local/bin/factcheck-entrypoint
RUN chmod 0755 /usr/local/bin/factcheck-entrypoint \
    && pip install -c constraints.txt . \
    && useradd --create-home --uid 1000 factcheck \
    && mkdir -p /app/media /app/staticfiles \
    && chown -R factcheck /app/media /app/staticfiles

# collectstatic needs settings that import; a throwaway key is enough at build time.
RUN DEBUG=False SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 \
    python manage.py collectstatic --noinput

USER factcheck
EXPOSE 8000
# Refuses to start without SECRET_KEY (DEBUG is off unless set: production settings).
ENTRYPOINT ["factcheck-entrypoint"]
CMD ["gunicorn", "factcheck.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
