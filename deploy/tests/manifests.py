"""Static checks of the deployment files, offline:

- deploy/Dockerfile passes hadolint (nothing above `info`), runs as non-root, ships both
  binaries, has a HEALTHCHECK and selects the mode with WORK_MODE;
- deploy/compose.yaml validates against the vendored Compose Specification schema;
- the kustomize base and the production overlay render (kubectl kustomize) and every
  resource validates (kubernetes-validate --strict) for a current Kubernetes version;
- every worker mode of the README has a Deployment and a compose service, and nothing else;
- probes point at the port helium really serves health on and at the paths it serves;
- cron_executor runs one replica, api and subscribe_api have HPAs, every mode a PDB,
  grace periods exceed helium's 30 s drain, secrets stay out of the ConfigMap.

Usage: .tools/venv/bin/python deploy/tests/manifests.py
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

import harness as h

REPO = h.REPO
DEPLOY = REPO / "deploy"
VENV_BIN = Path(sys.executable).parent
K8S_VERSION = os.environ.get("K8S_VERSION", "1.37.0")


def tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def readme_modes() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Running `helium`", 1)[1].split("\n## ", 1)[0]
    modes = re.findall(r"^\| `([a-z_]+)` \|", section, re.M)
    assert "api" in modes and "cron_executor" in modes, modes
    return [m for m in modes if m != "all"]


def code_health_port() -> int:
    m = re.search(r'"HEALTH_CHECK_PORT", (\d+)', (REPO / "api/src/settings.rs").read_text())
    assert m, "HEALTH_CHECK_PORT default not found in settings.rs"
    return int(m.group(1))


def code_health_paths() -> set[str]:
    return set(re.findall(r'\.route\("(/[a-z]+)"', (REPO / "api/src/health.rs").read_text()))


def code_shutdown_grace() -> int:
    m = re.search(r"SHUTDOWN_GRACE: Duration = Duration::from_secs\((\d+)\)", (REPO / "api/src/server.rs").read_text())
    assert m
    return int(m.group(1))


def render(overlay: str) -> list[dict]:
    src = DEPLOY / "k8s"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "k8s"
        shutil.copytree(src, copy)
        for example in copy.glob("overlays/*/secrets.env.example"):
            shutil.copy(example, example.with_name("secrets.env"))
        out = subprocess.run(["kubectl", "kustomize", str(copy / overlay)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [d for d in yaml.safe_load_all(out.stdout) if d]


def hadolint() -> None:
    out = subprocess.run([tool("hadolint"), "--failure-threshold", "warning", str(DEPLOY / "Dockerfile")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    if out.stdout.strip():
        h.log(out.stdout.strip())


def dockerfile_shape() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) >= 3, "multi-stage: deps, build, runtime"
    assert re.search(r"^USER (65532|nonroot)", text, re.M), "runs as non-root"
    assert re.search(r"^HEALTHCHECK .*helium\", \"health\"", text, re.M), "HEALTHCHECK probes /healthz"
    assert "helium-cli" in text and "/out/helium " in text, "both binaries"
    assert "ENV WORK_MODE=" in text and "COPY .sqlx .sqlx" in text and "SQLX_OFFLINE=true" in text


def dockerfile_context() -> None:
    """Every COPY source exists and survives .dockerignore; the dependency stage's stub
    workspace (manifests + empty sources, as its RUN line makes them) resolves with the
    committed Cargo.lock (`cargo metadata --locked --offline`): what Docker would cache."""
    text = (DEPLOY / "Dockerfile").read_text()
    ignored = [l.strip().rstrip("/") for l in (REPO / ".dockerignore").read_text().splitlines()
               if l.strip() and not l.startswith("#")]
    sources = []
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        sources += line.split()[:-1]
    assert sources, "no COPY lines"
    for src in sources:
        assert (REPO / src).exists(), f"COPY {src}: not in the repository"
        assert not any(src == i or src.startswith(i + "/") for i in ignored), f"COPY {src} is excluded by .dockerignore"
    for needed in (".sqlx", "migrations", "api", "infra", "domain", "Cargo.lock"):
        assert needed in sources, f"the image build needs {needed}"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        stage = text.split("FROM deps AS build", 1)[0]
        for line in re.findall(r"^COPY (?!--from)(.+)$", stage, re.M):
            *srcs, dest = line.split()
            for src in srcs:
                target = root / dest / (Path(src).name if dest.endswith("/") else "")
                if (REPO / src).is_dir():
                    shutil.copytree(REPO / src, root / dest if not dest.endswith("/") else target)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(REPO / src, target if dest.endswith("/") else root / Path(src).name)
        run = re.search(r"RUN (mkdir -p domain/src.*?)\\\n\s*&& cargo build", stage, re.S)
        assert run, "dependency stage RUN line not found"
        subprocess.run(["sh", "-c", run.group(1).replace("\\\n", " ")], cwd=root, check=True, timeout=30)
        out = subprocess.run(["cargo", "metadata", "--locked", "--offline", "--format-version", "1", "--no-deps"],
                             cwd=root, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-2000:]
        members = {p["name"] for p in __import__("json").loads(out.stdout)["packages"]}
        assert members == {"helium-domain", "helium-infra", "helium-api"}, members


def compose_schema() -> None:
    out = subprocess.run([tool("check-jsonschema"), "--schemafile", str(DEPLOY / "tests/schemas/compose-spec.json"),
                          str(DEPLOY / "compose.yaml")], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr


def compose_shape() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    modes = readme_modes()
    for infra in ("postgres", "redis", "rabbitmq", "pgbouncer", "mailpit", "migrate", "init", "mail-to-mailpit"):
        assert infra in services, f"compose lacks {infra}"
    for mode in modes:
        svc = services.get(mode)
        assert svc, f"README mode {mode} has no compose service"
        assert svc["environment"]["WORK_MODE"] == mode, mode
        assert svc["environment"]["HEALTH_CHECK_PORT"] == str(code_health_port())
        assert svc["healthcheck"]["test"][:3] == ["CMD", "/usr/local/bin/helium", "health"], mode
        deps = svc["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully", mode
        assert deps["init"]["condition"] == "service_completed_successfully", mode
        for dep in ("pgbouncer", "redis", "rabbitmq"):
            assert deps[dep]["condition"] == "service_healthy", (mode, dep)
        assert "pgbouncer:" in svc["environment"]["DATABASE_URL"] and svc["environment"]["DATABASE_STATEMENT_CACHE"] == "0"
        assert "@postgres:" in svc["environment"]["CRON_DATABASE_URL"]
    helium_like = {n for n, s in services.items() if "WORK_MODE" in (s.get("environment") or {})}
    assert helium_like == set(modes), f"compose modes {helium_like} != README {modes}"
    assert services["migrate"]["command"] == ["migrate"]
    assert services["init"]["command"][-1] == "init-config"
    assert services["mailer"]["depends_on"]["mail-to-mailpit"]["condition"] == "service_completed_successfully"
    # The Mailpit switch is the quick start's statement (same guard: only untouched defaults).
    quick = (REPO / "deploy/quickstart.sh").read_text()
    sql = services["mail-to-mailpit"]["command"][-1]
    for guard in ("value->>'host' = '127.0.0.1'", "value->>'port' = '587'", "coalesce(value->>'username', '') = ''"):
        assert guard in sql and guard in quick, guard
    # Secrets come from .env, never from the file.
    text = (DEPLOY / "compose.yaml").read_text()
    assert "${POSTGRES_PASSWORD" in text and not re.search(r"PASSWORD: [\"']?[A-Za-z0-9]{6,}", text)
    env_keys = {l.split("=")[0] for l in (DEPLOY / ".env.example").read_text().splitlines() if "=" in l and l[0] != "#"}
    for var in set(re.findall(r"\$\{([A-Z_]+):\?", text)):
        assert var in env_keys, f"{var} is required by compose but missing from .env.example"


def kubernetes_validate() -> None:
    for overlay in ("base", "overlays/production"):
        docs = render(overlay)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            yaml.safe_dump_all(docs, f)
        out = subprocess.run([tool("kubernetes-validate"), "--strict", "--quiet", "-k", K8S_VERSION, f.name],
                             capture_output=True, text=True, timeout=120)
        os.unlink(f.name)
        assert out.returncode == 0, f"{overlay}:\n{out.stdout}{out.stderr}"
        h.log(f"{overlay}: {len(docs)} resources valid for Kubernetes {K8S_VERSION}")


def kubernetes_shape() -> None:
    modes = readme_modes()
    port, paths, grace = code_health_port(), code_health_paths(), code_shutdown_grace()
    assert {"/healthz", "/readyz", "/metrics"} <= paths, paths
    for overlay in ("base", "overlays/production"):
        docs = render(overlay)
        kinds = lambda k: [d for d in docs if d["kind"] == k]  # noqa: E731
        config = next(d for d in kinds("ConfigMap") if d["metadata"]["name"].startswith("helium-config"))
        assert config["data"]["HEALTH_CHECK_PORT"] == str(port)
        for key in config["data"]:
            assert not re.search(r"URL$|PASSWORD|SECRET|KEY$", key) or key in ("PUBLIC_URL",), f"secret-like {key} in ConfigMap"
        deployments = {}
        for d in kinds("Deployment"):
            c = d["spec"]["template"]["spec"]["containers"][0]
            mode = next(e["value"] for e in c["env"] if e["name"] == "WORK_MODE")
            deployments[mode] = d
            ports = {p["name"]: p["containerPort"] for p in c["ports"]}
            assert ports["health"] == port, (mode, ports)
            for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                got = c[probe]["httpGet"]
                assert (got["path"], ports.get(got["port"], got["port"])) == (path, port), (mode, probe, got)
            spec = d["spec"]["template"]["spec"]
            assert spec["terminationGracePeriodSeconds"] > grace, mode
            assert spec["securityContext"]["runAsNonRoot"] is True
            assert c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"], mode
            assert any(e["name"] == "DATABASE_URL" and "secretKeyRef" in e.get("valueFrom", {}) for e in c["env"])
        assert set(deployments) == set(modes), f"Deployments {sorted(deployments)} != README modes {modes}"
        assert deployments["cron_executor"]["spec"]["replicas"] == 1
        cron_env = {e["name"] for e in deployments["cron_executor"]["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert "CRON_DATABASE_URL" in cron_env
        hpa_targets = {d["spec"]["scaleTargetRef"]["name"] for d in kinds("HorizontalPodAutoscaler")}
        names = {m: d["metadata"]["name"] for m, d in deployments.items()}
        assert hpa_targets == {names["api"], names["subscribe_api"]}, hpa_targets
        pdb_selectors = [d["spec"]["selector"]["matchLabels"] for d in kinds("PodDisruptionBudget")]
        for mode, d in deployments.items():
            labels = d["spec"]["template"]["metadata"]["labels"]
            assert any(all(labels.get(k) == v for k, v in sel.items()) for sel in pdb_selectors), f"{mode}: no PDB"
        jobs = kinds("Job")
        assert len(jobs) == 1 and jobs[0]["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        services = {s["metadata"]["name"]: s for s in kinds("Service")}
        for mode in ("api", "grpc", "subscribe_api", "webhook_api"):
            c = deployments[mode]["spec"]["template"]["spec"]["containers"][0]
            listener = next(p for p in c["ports"] if p["name"] != "health")
            svc = next((s for s in services.values() if s["spec"]["selector"].items() <= deployments[mode]["spec"]["template"]["metadata"]["labels"].items()), None)
            assert svc, f"{mode}: no Service"
            assert all(p["targetPort"] != "health" and p["port"] != port for p in svc["spec"]["ports"]), "health port exposed"
            assert any(p["targetPort"] == listener["name"] for p in svc["spec"]["ports"]), mode
        if overlay != "base":
            secret = next(d for d in kinds("Secret"))
            keys = set(secret["data"])
            used = {e["valueFrom"]["secretKeyRef"]["key"] for d in kinds("Deployment") + jobs
                    for c in d["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])
                    if "secretKeyRef" in e.get("valueFrom", {})}
            assert used <= keys, f"secret keys missing from secrets.env.example: {used - keys}"


def main() -> int:
    checks = h.Checks("manifests")
    checks.run("hadolint deploy/Dockerfile (nothing above info)", hadolint)
    checks.run("Dockerfile: stages, non-root, both binaries, HEALTHCHECK, WORK_MODE", dockerfile_shape)
    checks.run("Dockerfile: COPY sources exist, dependency stage resolves with Cargo.lock", dockerfile_context)
    checks.run("compose.yaml validates against the Compose Specification schema", compose_schema)
    checks.run("compose: a service per README mode, health checks, depends_on conditions", compose_shape)
    checks.run("kustomize base + production render and validate (kubernetes-validate --strict)", kubernetes_validate)
    checks.run("k8s: a Deployment per README mode, probes on the real health port/paths, HPAs, PDBs", kubernetes_shape)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
