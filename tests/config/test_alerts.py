"""docs/alerts.yml holds valid Prometheus rules over metrics that exist; docs/deploy.md's scrape config parses;
docker-compose.yml gives each container its own multiprocess directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from tracker import metrics

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"), "gauge": ("",)}


def exported_series() -> set[str]:
    """Every series name Brainqueue exports: the defined metrics with their suffixes, and the scrape-time gauges."""
    names = {metrics.QUEUE_LENGTH, metrics.BROKER_UP, metrics.HEARTBEAT_AGE}
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def rules() -> list[dict[str, object]]:
    document = yaml.safe_load((ROOT / "docs" / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_every_rule_is_complete() -> None:
    names = [rule["alert"] for rule in rules()]
    assert len(names) == len(set(names)) >= 4
    for rule in rules():
        assert set(rule) == {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert re.fullmatch(r"\d+[smh]", str(rule["for"])), rule["alert"]
        assert rule["labels"]["severity"] in ("warning", "critical")  # type: ignore[index]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]  # type: ignore[index]
        assert str(rule["expr"]).count("(") == str(rule["expr"]).count(")"), rule["alert"]


def test_every_metric_a_rule_uses_is_exported() -> None:
    exported = exported_series()
    used = {name for rule in rules() for name in re.findall(r"\bbrainqueue_[a-z0-9_]+", str(rule["expr"]))}
    assert used, "the rules use no Brainqueue metric"
    assert not used - exported, f"no such metric: {sorted(used - exported)}"


def test_the_alerts_the_operators_asked_for_are_there() -> None:
    expressions = " ".join(str(rule["expr"]) for rule in rules())
    for name in ("brainqueue_celery_queue_length", "brainqueue_worker_heartbeat_age_seconds",
                 "brainqueue_grading_latency_seconds_bucket", "brainqueue_feed_fetches_total"):  # fmt: skip
        assert name in expressions


def test_the_scrape_config_in_the_deploy_guide_parses_and_sends_the_token() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    configs = [b for b in blocks if isinstance(b, dict) and "scrape_configs" in b]
    assert configs, "docs/deploy.md has no prometheus.yml example"
    jobs = configs[0]["scrape_configs"]
    assert {job["job_name"] for job in jobs} >= {"brainqueue-web", "brainqueue-workers"}
    for job in jobs:
        assert job["authorization"]["type"] == "Bearer" and job["authorization"]["credentials_file"]
        assert job.get("metrics_path", "/metrics") == "/metrics"
    assert "alerts.yml" in " ".join(configs[0]["rule_files"])


def test_compose_gives_every_app_container_its_own_metrics_directory() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("needs Debian's docker-compose to resolve the file: apt-get install docker-compose")
    resolved = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 40, "METRICS_TOKEN": "t" * 32},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert resolved.returncode == 0, resolved.stderr
    services = yaml.safe_load(resolved.stdout)["services"]
    for name in ("web", "worker-default", "worker-feeds", "worker-email", "worker-grading"):
        env = services[name]["environment"]
        assert env["METRICS_TOKEN"] == "t" * 32 and str(env["METRICS_WORKER_PORT"]) == "9808", name
        assert env["PROMETHEUS_MULTIPROC_DIR"] in services[name]["tmpfs"], name  # empty at each start
    assert "config/gunicorn_conf.py" in services["web"]["command"]
