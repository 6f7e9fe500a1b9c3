"""Configuration: production refuses unsafe starts; docker-compose.yml stays valid."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

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
    resolved = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resolved.returncode == 0, resolved.stderr
    services = yaml.safe_load(resolved.stdout)["services"]
    assert set(services) == {
        "migrate", "web", "worker-default", "worker-feeds", "worker-email", "worker-grading", "beat",
        "postgres", "redis", "mailpit",
    }  # fmt: skip
    # Exactly one beat: one service runs `celery beat`, pinned to one replica, and no worker embeds one (-B).
    commands = {name: " ".join(s.get("command") or []) if isinstance(s.get("command"), list) else
                s.get("command") or "" for name, s in services.items()}  # fmt: skip
    assert [name for name, command in commands.items() if " beat" in command] == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert not any(" -B" in c or "--beat" in c for c in commands.values())
    # One worker service per queue, each consuming only its own queue.
    for queue in ("default", "feeds", "email", "grading"):
        assert f"--queues {queue} " in commands[f"worker-{queue}"]
    assert "seccomp:unconfined" in services["worker-grading"]["security_opt"]
    # Health checks on everything long-running, the web server's on /healthz; data on volumes.
    for name, service in services.items():
        if name not in ("migrate", "beat"):
            assert "healthcheck" in service, f"{name} has no healthcheck"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert {"postgres-data", "redis-data"} <= set(yaml.safe_load(resolved.stdout)["volumes"])


def test_env_example_documents_every_variable_the_settings_read():
    read = set()
    for path in [*(ROOT / "config").rglob("*.py"), ROOT / "grader" / "sandbox.py"]:
        text = path.read_text(encoding="utf-8")
        read |= set(re.findall(r"env\.(?:str|bool|int|float|list|email_url|db_url)\(\s*\"([A-Z0-9_]+)\"", text))
        read |= set(re.findall(r"^[A-Z_]+_ENV = \"([A-Z0-9_]+)\"", text, re.MULTILINE))
    documented = set(re.findall(r"^# ([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert "DJANGO_SECRET_KEY" in read and "BRAINQUEUE_GRADER_CGROUP" in read
    assert not read - documented, f"document these in .env.example: {sorted(read - documented)}"


def _form_action(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "GOOGLE_", "DJANGO_CSP"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings.test", **env)
    code = "from django.conf import settings; print(' '.join(settings.SECURE_CSP['form-action']))"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_configured_social_provider_may_receive_the_sign_in_form():
    assert _form_action() == "'self'"
    assert _form_action(GITHUB_CLIENT_ID="id", GITHUB_CLIENT_SECRET="secret") == "'self' https://github.com"
    both = _form_action(
        GITHUB_CLIENT_ID="id",
        GITHUB_CLIENT_SECRET="s",
        GOOGLE_CLIENT_ID="id",
        GOOGLE_CLIENT_SECRET="s",
        DJANGO_CSP_FORM_ACTION="https://github.com",
    )
    assert both == "'self' https://github.com https://accounts.google.com"
