"""Configuration: production refuses unsafe starts; docker-compose.yml stays valid."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI") == "true"


def django_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = django_check(DJANGO_ALLOWED_HOSTS="example.org", DATABASE_URL="postgres://u@127.0.0.1/db")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key_and_missing_hosts():
    short = django_check(DJANGO_SECRET_KEY="short", DJANGO_ALLOWED_HOSTS="x", DATABASE_URL="postgres://u@127.0.0.1/db")
    assert short.returncode != 0 and "at least 32 characters" in short.stderr
    no_hosts = django_check(DJANGO_SECRET_KEY="k" * 50, DATABASE_URL="postgres://u@127.0.0.1/db")
    assert no_hosts.returncode != 0 and "DJANGO_ALLOWED_HOSTS" in no_hosts.stderr


def test_production_passes_the_deployment_checklist_when_configured():
    result = django_check(
        DJANGO_SECRET_KEY="a-real-secret-" + "x9Lq" * 12,
        DJANGO_ALLOWED_HOSTS="brainqueue.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/brainqueue",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_file_is_accepted_by_the_validator():
    binary = shutil.which("docker-compose")
    if binary is None:
        if IN_CI:
            pytest.fail("docker-compose (Debian package) is needed in CI; `make test` installs it")
        pytest.skip("needs Debian's docker-compose to validate the file: apt-get install docker-compose")
    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    services = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "--services"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.split()
    assert set(services) == {"web", "worker", "beat", "postgres", "redis", "mailpit"}
