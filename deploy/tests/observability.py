"""deploy/observability/: `promtool check rules` and `promtool test rules` on the alerts, and
the dashboard's and alerts' queries use only metrics Helium really exports (names found in
the metrics! calls of api/ and infra/), with the alerts the runbook explains.

Usage: .tools/venv/bin/python deploy/tests/observability.py   (promtool: deploy/tests/install-tools.sh)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import yaml

import harness as h

OBS = h.REPO / "deploy/observability"
PROMQL_WORDS = {"sum", "max", "min", "by", "rate", "increase", "histogram_quantile", "clamp_min", "absent", "and",
                "or", "le", "on", "without", "avg", "count"}


def exported_metrics() -> set[str]:
    names = set()
    for path in list((h.REPO / "api/src").rglob("*.rs")) + list((h.REPO / "infra/src").rglob("*.rs")):
        for kind, name in re.findall(r"(counter|gauge|histogram)!\(\s*\"([a-z_]+)\"", path.read_text()):
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    return names | {"up"}


def metrics_in(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", re.sub(r"\[[^\]]*\]", "", expr))
    expr = re.sub(r"\"[^\"]*\"", "", expr)
    words = set(re.findall(r"[a-z_][a-z0-9_]*", expr))
    labels = set(re.findall(r"by \(([^)]*)\)", expr))
    label_words = {w.strip() for group in labels for w in group.split(",")}
    return {w for w in words - PROMQL_WORDS - label_words if "_" in w or w == "up"}


def promtool() -> None:
    tool = shutil.which("promtool")
    assert tool, "promtool missing (deploy/tests/install-tools.sh installs Debian's prometheus package)"
    for args in (["check", "rules", "alerts.yaml"], ["test", "rules", "alerts_test.yaml"]):
        out = subprocess.run([tool, *args], cwd=OBS, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr


def alerts_cover_the_runbook() -> None:
    rules = yaml.safe_load((OBS / "alerts.yaml").read_text())["groups"][0]["rules"]
    names = {r["alert"] for r in rules}
    need = {"HeliumDeadLetterQueueNotEmpty", "HeliumCronLeaderMissing", "HeliumNotReady", "HeliumHigh5xxRate",
            "HeliumOutboxLag", "HeliumAuditChainBroken", "HeliumDbPoolExhausted"}
    assert need <= names, need - names
    runbook = (h.REPO / "deploy/RUNBOOK.md").read_text().lower()
    known = exported_metrics()
    for r in rules:
        anchor = r["annotations"]["runbook"].split("#", 1)[1]
        assert f"### {anchor.replace('-', ' ')}" in runbook.replace("-", " "), f"RUNBOOK.md lacks a section for {anchor}"
        unknown = metrics_in(r["expr"]) - known
        assert not unknown, f"{r['alert']} uses metrics Helium does not export: {unknown}"


def dashboard() -> None:
    dash = json.loads((OBS / "grafana-dashboard.json").read_text())
    assert dash["uid"] and dash["title"] == "Helium"
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids)) >= 10, ids
    known = exported_metrics()
    for p in dash["panels"]:
        assert p["targets"], p["title"]
        for t in p["targets"]:
            unknown = metrics_in(t["expr"]) - known
            assert not unknown, f"panel {p['title']!r} uses unknown metrics {unknown}"


def live_metrics_and_health_listener() -> None:
    """A running `helium --mode all` exports every metric the alerts need; its health port
    listens only where HEALTH_LISTEN_ADDR says; `helium health` probes it."""
    db = h.Database("metrics")
    helium = None
    try:
        prefix = f"obs-{db.name[-12:]}"
        env = {"DATABASE_URL": db.url, "REDIS_KEY_PREFIX": f"{prefix}:", "MQ_PREFIX": prefix}
        helium = h.Helium("all", env)  # HEALTH_LISTEN_ADDR=127.0.0.1:<port>
        helium.wait_ready()
        need = {"helium_ready", "helium_dependency_up", "helium_dlq_messages", "helium_cron_leader",
                "outbox_oldest_unpublished_age_seconds", "process_resident_memory_bytes"}

        def exported() -> set[str]:
            status, text = helium.health("/metrics")
            assert status == 200
            return {line.split("{")[0].split(" ")[0] for line in str(text).splitlines() if line and line[0] != "#"}

        got = h.wait_for("alert metrics exported", lambda: need <= (e := exported()) and e, 30, 0.5)
        # The DLQ gauge sets one queue after another (and retries a queue not declared yet):
        # wait for the mailer's, not only for the first queue's.
        mailer_dlq = f'queue="{prefix}.mailer.dlq"'
        h.wait_for("the mailer DLQ gauge", lambda: mailer_dlq in str(helium.health("/metrics")[1]), 30, 0.5)
        status, text = helium.health("/metrics")
        assert 'helium_ready 1' in str(text) and mailer_dlq in str(text), str(text)[:2000]
        assert "helium_cron_leader 1" in str(text), "the only cron instance leads"
        h.log(f"{len(got)} metric families, including {sorted(need)}")
        # The health listener: 127.0.0.1 only.
        import socket
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.2", helium.health_port)) != 0, "health port reachable beyond 127.0.0.1"
        probe_env = {"HEALTH_LISTEN_ADDR": f"127.0.0.1:{helium.health_port}"}
        h.run([h.HELIUM, "health"], probe_env, timeout=10)
        h.run([h.HELIUM, "health", "--path", "/readyz"], probe_env, timeout=10)
        bad = subprocess.run([h.HELIUM, "health"], env={**os.environ, "HEALTH_LISTEN_ADDR": f"127.0.0.1:{h.free_port()}"},
                             capture_output=True, text=True, timeout=10)
        assert bad.returncode == 1 and "refused" in bad.stderr.lower(), bad.stderr
    finally:
        if helium:
            helium.close()
        db.close()


def main() -> int:
    checks = h.Checks("observability")
    checks.run("promtool check rules + test rules", promtool)
    checks.run("the alerts exist, use exported metrics, and have runbook sections", alerts_cover_the_runbook)
    checks.run("Grafana dashboard: valid JSON, panels query exported metrics", dashboard)
    checks.run("a running helium exports the alerts' metrics; HEALTH_LISTEN_ADDR; helium health", live_metrics_and_health_listener)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
