"""Every curl example in the README works as written: each `curl` line, in the order the README
gives them (the token from the first is used by the later ones), against a live server with the
demo data and a real worker. Only the host changes, to the live server's."""

import json
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

README = Path(__file__).resolve().parents[1] / "README.md"
HOSTS = re.compile(r"http://(?:127\.0\.0\.1|localhost):8000")


def curl_lines() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    return [line for block in blocks for line in block.splitlines() if "curl " in line]


def test_the_readme_has_curl_examples():
    lines = curl_lines()
    assert len(lines) >= 8
    assert not [line for line in lines if " -u " in line], "basic auth is refused by the API"


@pytest.mark.django_db(transaction=True)
def test_every_readme_curl_example_works(live_server, celery_worker, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", verbosity=0)
    (tmp_path / "day.jsonl").write_text(
        json.dumps({"title": "Readme day", "body": "The README example imports this."}) + "\n",
        encoding="utf-8",
    )
    lines = [HOSTS.sub(live_server.url, line) for line in curl_lines()]
    assert all(live_server.url in line for line in lines)
    # --fail-with-body: an HTTP error fails the script (the README's lines do not say it, and
    # need not: a person reads the answer).
    script = (
        'set -euo pipefail\ncurl() { command curl --silent --show-error --fail-with-body "$@"; }\n'
    )
    script += "\n".join(f'{line}\necho "<<$?>>"' for line in lines)
    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stdout.count("<<0>>") == len(lines)
    assert '"count":' in result.stdout
    assert (tmp_path / "claims.csv").exists()
