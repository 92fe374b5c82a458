"""python manage.py ensure_database [--name NAME]

Creates the PostgreSQL database `DATABASE_URL` names if it does not exist yet, so that
`make run` (whose `migrate` step runs this first) works on a fresh server without a `createdb`.
Connects to the server's `postgres` database as the configured user, who must be allowed to
create databases (the `postgres` user of a laptop install is). On SQLite it does nothing: the
file is created on first use.
"""

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it does not exist (SQLite: nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--name", help="The database to create (default: DATABASE_URL's).")

    def handle(self, *args, name: str | None = None, **options):
        connection = connections["default"]
        if connection.vendor != "postgresql":
            self.stdout.write("Not PostgreSQL: nothing to create.")
            return
        settings = connection.settings_dict
        name = name or settings["NAME"]
        server = {
            key: value
            for key, value in (
                ("host", settings.get("HOST")),
                ("port", settings.get("PORT")),
                ("user", settings.get("USER")),
                ("password", settings.get("PASSWORD")),
            )
            if value
        }
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **server) as server_db:
                found = server_db.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [name]
                ).fetchone()
                if found:
                    self.stdout.write(f"Database {name} exists.")
                    return
                try:
                    server_db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                except psycopg.errors.DuplicateDatabase:
                    return  # created by another process meanwhile (two `make run`s at once)
        except psycopg.OperationalError as error:
            raise CommandError(f"Cannot reach PostgreSQL to create {name}: {error}") from error
        self.stdout.write(f"Created database {name}.")
