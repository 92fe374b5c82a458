"""`manage.py ensure_database` (run by `make migrate`, so by `make run`): the database PostgreSQL
lacks is created, one that exists is left alone."""

import uuid

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql


def _server():
    settings = connection.settings_dict
    params = {
        "host": settings.get("HOST"),
        "port": settings.get("PORT"),
        "user": settings.get("USER"),
        "password": settings.get("PASSWORD"),
    }
    return psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}
    )


def _exists(name: str) -> bool:
    with _server() as server:
        return bool(
            server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


@pytest.fixture
def fresh_name(db):
    name = f"factcheck_ensure_{uuid.uuid4().hex[:12]}"
    yield name
    with _server() as server:
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_missing_database_is_created_and_a_second_run_changes_nothing(fresh_name, capsys):
    assert not _exists(fresh_name)

    call_command("ensure_database", name=fresh_name)
    call_command("ensure_database", name=fresh_name)

    assert _exists(fresh_name)
    out = capsys.readouterr().out
    assert f"Created database {fresh_name}." in out
    assert f"Database {fresh_name} exists." in out


def test_the_configured_database_is_found(db, capsys):
    call_command("ensure_database")

    assert f"Database {connection.settings_dict['NAME']} exists." in capsys.readouterr().out
