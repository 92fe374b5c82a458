"""Shared fixtures: users per role, API clients, and a real Celery worker."""

import uuid

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import translation
from rest_framework.test import APIClient

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The default PBKDF2 costs ~0.3 s a user on a busy machine; the suite makes hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_after_each_test():
    # LocaleMiddleware activates a request's language in the thread and leaves it there: a test
    # that asks in Spanish would make every later test's messages Spanish.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttles count per address in the cache, which outlives a test; the test client always
    # comes from 127.0.0.1, so without this one test's requests would count against the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reviewer(db):
    return UserFactory(username="rita-reviewer", roles=["Reviewer"])


@pytest.fixture
def other_reviewer(db):
    return UserFactory(username="oscar-reviewer", roles=["Reviewer"])


@pytest.fixture
def editor(db):
    return UserFactory(username="edna-editor", roles=["Editor"], is_staff=True)


@pytest.fixture
def other_editor(db):
    return UserFactory(username="eli-editor", roles=["Editor"], is_staff=True)


@pytest.fixture
def moderator(db):
    return UserFactory(username="mo-moderator", roles=["Moderator"], is_staff=True)


@pytest.fixture
def outsider(db):
    """Signed in, but in no role."""
    return UserFactory(username="nobody")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """`client_for(user)`: an API client authenticated as `user` (None for anonymous)."""

    def _client(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _client


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker (in a thread of this process) on the Redis test broker.

    Tasks see the test database because the worker shares this process's settings. Each test's
    worker consumes a queue of its own: a worker stopped by an earlier test can still hold a
    blocking pop on its queue for a moment, and would swallow a message sent to a shared one.
    """
    from celery.contrib.testing.worker import start_worker

    from factcheck.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    # conf.update (not assignment) also rebuilds the app's cached router. The settings' routes
    # come back afterwards: without them a later test's import would land on the default queue.
    routes = app.conf.task_routes
    app.conf.update(task_routes={"annotations.tasks.*": {"queue": queue}})
    try:
        with start_worker(
            app, queues=[queue], perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30
        ):
            yield app
    finally:
        app.conf.update(task_routes=routes)


@pytest.fixture
def wsgi_app():
    """Our WSGI app for schemathesis; like Django's test client, the test's transaction stays
    open across "requests"."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
