"""The project's set-up: production settings, the compose file, the two commands' pieces."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = "k3Yq-9vXw2L8pZ1rT6uN0bH4jC7mF5sD2aE9gR3tY8wQ1zX6cV4nB7mK0lP2oI5u"


def _manage(*args: str, env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={"DEBUG": "False", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "factcheck.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _env_without(*names: str) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in names}


def _settings_value(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("debug", [None, "False", "0"], ids=["unset", "False", "0"])
def test_without_a_secret_key_only_debug_starts(debug):
    env = _env_without("SECRET_KEY", "DEBUG")
    if debug is not None:
        env["DEBUG"] = debug
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "DEBUG=true" in result.stderr  # the message names both ways out


def test_debug_is_off_unless_asked_for():
    env = {**_env_without("DEBUG"), "SECRET_KEY": STRONG_KEY}
    assert _settings_value("DEBUG", env).stdout.strip() == "False"
    dev = _settings_value("SECRET_KEY", {**_env_without("SECRET_KEY"), "DEBUG": "true"})
    assert dev.stdout.strip().startswith("django-insecure-"), dev.stderr


def test_make_run_and_make_test_turn_debug_on_on_their_command_lines():
    makefile = (ROOT / "Makefile").read_text()
    recipes = {}
    for name in ("migrate", "run", "test"):
        body = re.search(rf"^{name}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
        assert body, f"no {name} target"
        recipes[name] = body.group(1)
    for name in ("migrate", "run"):
        commands = [
            line
            for line in recipes[name].splitlines()
            if "manage.py" in line or "bin/celery" in line
        ]
        assert commands, name
        assert all("DEBUG=true" in line for line in commands), commands
    assert "DEBUG=true" in recipes["test"]


def _entrypoint(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh"), "echo", "started"],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    "env",
    [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": "django-insecure-dev-only-key"}],
    ids=["unset", "empty", "development-key"],
)
def test_the_image_refuses_to_start_without_a_secret_key(env):
    result = _entrypoint(env)

    assert result.returncode == 78
    assert result.stdout == ""
    assert "SECRET_KEY" in result.stderr


def test_the_image_starts_its_command_with_a_secret_key():
    result = _entrypoint({"SECRET_KEY": STRONG_KEY})

    assert (result.returncode, result.stdout) == (0, "started\n")


def test_the_dockerfile_runs_every_command_through_the_entrypoint():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY docker/entrypoint.sh /usr/local/bin/factcheck-entrypoint" in dockerfile
    assert 'ENTRYPOINT ["factcheck-entrypoint"]' in dockerfile
    assert "DEBUG=True" not in dockerfile.replace(" ", "")


def test_without_database_url_the_tool_runs_on_sqlite_with_demo_data(tmp_path):
    """What `make run` does on a fresh machine, minus the servers: migrate and seed on SQLite."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    for args in (["migrate", "--noinput"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    assert "reviewer / reviewer-demo-pass" in result.stdout
    assert "27 sentences" in result.stdout


def test_default_broker_needs_no_server():
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL",)}
    result = subprocess.run(
        [sys.executable, "-c", "from factcheck.celery import app; print(app.conf.broker_url)"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "factcheck.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().startswith("sqla+sqlite:///"), result.stderr


def _settings_env_names() -> set[str]:
    source = (ROOT / "factcheck" / "settings.py").read_text()
    found = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))
    return found


def test_compose_file_names_the_services_and_the_variables_the_settings_read():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {
        "db",
        "redis",
        "web",
        "worker-imports",
        "worker-models",
        "worker",
        "beat",
    }
    # Beat answers no ping; its container's only process is beat, which ends the container.
    for name in services.keys() - {"beat"}:
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["beat"]["command"][:4] == ["celery", "-A", "factcheck", "beat"]
    assert services["beat"]["environment"] == services["web"]["environment"]
    assert "pgdata" in compose["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in services["db"]["volumes"]
    app_env = services["web"]["environment"]
    assert services["worker"]["environment"] == app_env
    read_by_settings = _settings_env_names()
    for variable in app_env:
        assert variable in read_by_settings, f"compose sets {variable}, settings never read it"
    for required in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"):
        assert required in app_env
    # Compose refuses to start without a SECRET_KEY from the environment, and never runs DEBUG.
    assert app_env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert app_env["DEBUG"] == "False"
    assert app_env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-0}"
    assert services["worker"]["command"][:3] == ["celery", "-A", "factcheck"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"


def _queues_after_q(words: list[str]) -> list[set[str]]:
    return [set(words[i + 1].split(",")) for i, word in enumerate(words) if word == "-Q"]


def test_compose_and_make_run_consume_every_queue_with_imports_apart(settings):
    # A queue nobody consumes is a job that never runs; imports sharing a worker with the rest
    # would hold exports and indexing behind a long upload.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    compose_groups = [
        group
        for service in compose.values()
        for group in _queues_after_q(service.get("command", []))
    ]
    make_groups = _queues_after_q((ROOT / "Makefile").read_text().split())
    for groups in (compose_groups, make_groups):
        assert set().union(*groups) == set(settings.JOB_QUEUES)
        assert {"imports"} in groups
        assert {"models"} in groups  # embeddings' backlog never holds search indexing


def test_dockerfile_installs_with_the_pinned_constraints():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install -c constraints.txt" in dockerfile
    assert "gunicorn" in dockerfile


@pytest.mark.django_db
def test_healthz_answers(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def _public_base_url_of_make_run(addr: str, env: dict[str, str]) -> str:
    """The PUBLIC_BASE_URL `make run ADDR=addr` gives its server and worker (a dry run)."""
    plan = subprocess.run(
        ["make", "-n", "run", f"ADDR={addr}"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    [export] = [line for line in plan.splitlines() if line.startswith("export PUBLIC_BASE_URL=")]
    shown = subprocess.run(
        ["bash", "-c", export.split(";")[0] + '; echo "$PUBLIC_BASE_URL"'],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return shown.stdout.strip()


@pytest.mark.parametrize(
    ("addr", "env", "expected"),
    [
        ("127.0.0.1:8000", {}, "http://127.0.0.1:8000"),
        ("0.0.0.0:9000", {}, "http://0.0.0.0:9000"),
        ("8080", {}, "http://127.0.0.1:8080"),
        (
            "0.0.0.0:9000",
            {"PUBLIC_BASE_URL": "https://checks.example.org"},
            "https://checks.example.org",
        ),
    ],
)
def test_make_run_derives_public_base_url_from_addr_unless_set(addr, env, expected):
    assert _public_base_url_of_make_run(addr, env) == expected
