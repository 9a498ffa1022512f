"""Static checks of the deployment files, offline:

- deploy/Dockerfile passes hadolint (nothing above `info`), runs as non-root, ships both
  binaries, has a HEALTHCHECK and selects the mode with WORK_MODE;
- its build stage gets everything the Rust code reads at compile time, found by scanning
  the sources (rust-embed folders such as web-admin/dist, include_str!, sqlx migrations and
  .sqlx, build.rs inputs such as api/proto), and .dockerignore drops none of it;
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

import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
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


def dockerignore() -> Callable[[str], bool]:
    """Whether .dockerignore keeps a repository path (a/b/c) out of the build context, the way
    Docker reads it: patterns relative to the root, `*`, `?`, `**`, `!` exceptions, the last
    matching line wins, and a pattern that matches a folder excludes everything under it."""
    def regex(pat: str) -> re.Pattern[str]:
        out, i = "", 0
        while i < len(pat):
            if pat.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pat.startswith("**", i):
                out, i = out + ".*", i + 2
            else:
                out, i = out + {"*": "[^/]*", "?": "[^/]"}.get(pat[i], re.escape(pat[i])), i + 1
        return re.compile(out)

    rules = []
    path = REPO / ".dockerignore"
    for line in (path.read_text().splitlines() if path.exists() else []):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pat = posixpath.normpath(line.lstrip("!").strip().strip("/"))
        rules.append((negate, regex(pat)))

    def ignored(rel: str) -> bool:
        parts = posixpath.normpath(rel).split("/")
        prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
        verdict = False
        for negate, rx in rules:
            if any(rx.fullmatch(p) for p in prefixes):
                verdict = not negate
        return verdict

    return ignored


def compile_time_inputs() -> dict[str, list[tuple[str, str]]]:
    """What each workspace source file makes the compiler read besides itself, found by
    scanning the sources (not a list kept by hand): {source: [(repository path, why)]}.

    - include_str!/include_bytes!/include! of a literal (next to the file) or of
      concat!(env!("CARGO_MANIFEST_DIR"), "…") (the folder of the literal prefix);
    - rust-embed `#[folder = "…"]` and include_dir!("…") (crate-relative, $CARGO_MANIFEST_DIR);
    - sqlx::migrate!("…") (crate-relative; `migrations` without an argument), query_file*!;
    - sqlx query*! macros: the offline query data (SQLX_OFFLINE_DIR of .cargo/config.toml, else
      .sqlx), and that config file;
    - build.rs: itself, every `cargo:rerun-if-changed=` path and every string literal naming a
      path that exists in the crate (e.g. protox's include folder `proto`)."""
    members = tomllib.loads((REPO / "Cargo.toml").read_text())["workspace"]["members"]
    offline: list[tuple[str, str]] = []
    cargo_config = REPO / ".cargo/config.toml"
    if cargo_config.exists():
        env = tomllib.loads(cargo_config.read_text()).get("env", {})
        value = env.get("SQLX_OFFLINE_DIR")
        if value is not None:
            # `relative = true`: relative to the folder holding .cargo/, the repository root.
            folder = posixpath.normpath(value.get("value") if isinstance(value, dict) else value)
            offline = [(folder, "SQLX_OFFLINE_DIR (sqlx query macros, offline)"),
                       (".cargo/config.toml", "sets SQLX_OFFLINE_DIR")]

    def rel(path: Path) -> str:
        return posixpath.normpath(os.path.relpath(path, REPO).replace(os.sep, "/"))

    def crate_path(crate: Path, p: str) -> str:
        p = p.replace("$CARGO_MANIFEST_DIR", str(crate)).replace("${CARGO_MANIFEST_DIR}", str(crate))
        return rel(crate / p)

    lit = r'"((?:[^"\\]|\\.)*)"'
    found: dict[str, list[tuple[str, str]]] = {}
    for member in members:
        crate = REPO / member
        package = tomllib.loads((crate / "Cargo.toml").read_text()).get("package", {})
        build_rs = crate / (package["build"] if isinstance(package.get("build"), str) else "build.rs")
        files = sorted((crate / "src").rglob("*.rs"))
        if package.get("build") is not False and build_rs.exists():
            files.append(build_rs)
        for f in files:
            src = "\n".join(l for l in f.read_text().splitlines() if not l.lstrip().startswith("//"))
            needs: list[tuple[str, str]] = []
            for m in re.finditer(r"\binclude(?:_str|_bytes)?!\(\s*" + lit + r"\s*\)", src):
                needs.append((rel(f.parent / m.group(1)), m.group(0)))
            manifest_concat = r'\binclude(?:_str|_bytes)?!\(\s*concat!\(\s*env!\(\s*"CARGO_MANIFEST_DIR"\s*\)'
            for m in re.finditer(manifest_concat + r'\s*((?:,\s*"[^"]*"\s*)*)(,|\))', src):
                joined = "".join(re.findall(lit, m.group(1)))
                if m.group(2) == "," and not joined.endswith("/"):   # more arguments: a prefix
                    joined = joined.rsplit("/", 1)[0] + "/"
                needs.append((rel(crate / ("./" + joined.lstrip("/"))),
                              'include_*!(concat!(env!("CARGO_MANIFEST_DIR"), …))'))
            for m in re.finditer(r"#\[folder\s*=\s*" + lit + r"\s*\]", src):
                needs.append((crate_path(crate, m.group(1)), m.group(0)))
            for m in re.finditer(r"\binclude_dir!\(\s*" + lit, src):
                needs.append((crate_path(crate, m.group(1)), m.group(0)))
            for m in re.finditer(r"\bmigrate!\(\s*(?:" + lit + r")?\s*\)", src):
                needs.append((crate_path(crate, m.group(1) or "migrations"), m.group(0)))
            for m in re.finditer(r"\bquery_file\w*!\(\s*(?:[\w:<>]+\s*,\s*)?" + lit, src):
                needs.append((crate_path(crate, m.group(1)), m.group(0)))
            if re.search(r"\bquery(?:_as|_scalar)?(?:_unchecked)?!\(", src):
                needs += offline or [(rel(crate / ".sqlx") if (crate / ".sqlx").exists() else ".sqlx",
                                      "sqlx query macros (offline query data)")]
            if f == build_rs:
                needs.append((rel(f), "build script"))
                for m in re.finditer(r"rerun-if-changed=([^\"\s]+)", src):
                    needs.append((crate_path(crate, m.group(1)), f"build.rs: {m.group(0)}"))
                for m in re.finditer(lit, src):
                    s = m.group(1)
                    if s and s not in (".", "./") and "{" not in s and (crate / s).exists():
                        needs.append((crate_path(crate, s), f'build.rs reads "{s}"'))
            for path, why in needs:
                assert (REPO / path).exists(), f"{rel(f)}: {why} names {path}, which is not in the repository"
            if needs:
                found[rel(f)] = sorted(dict(reversed(needs)).items())   # one reason per path
    return found


def copied(copies: list[tuple[str, str]], workdir: str, path: str) -> bool:
    """Whether one of the COPYs (repository path, path in the image) puts `path` at
    WORKDIR/path, where cargo (run in WORKDIR, the workspace root) looks for it."""
    for src, image in copies:
        if src == ".":
            under = path
        elif path == src:
            under = ""
        elif path.startswith(src + "/"):
            under = path[len(src) + 1:]
        else:
            continue
        if posixpath.normpath(posixpath.join(image, under)) == posixpath.normpath(posixpath.join(workdir, path)):
            return True
    return False


def dockerfile_compile_inputs(text: str) -> list[str]:
    """Every input the compiler reads (compile_time_inputs) is copied, at its own path under
    WORKDIR, before each `cargo build` of the stages the runtime image copies from, whenever
    the source needing it is copied there too (the dependency stage's stubs need nothing), and
    .dockerignore keeps none of its files out. Returns the inputs checked."""
    text = text.replace("\\\n", " ")
    stages = []
    stage_re = r"^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?[^\n]*\n(.*?)(?=^FROM\s|\Z)"
    for m in re.finditer(stage_re, text, re.M | re.S | re.I):
        stages.append({"base": m.group(1), "name": (m.group(2) or "").lower(), "body": m.group(3)})
    by_name = {s["name"]: s for s in stages if s["name"]}
    sources = set(re.findall(r"^COPY\s+(?:--\S+\s+)*--from=(\S+)", stages[-1]["body"], re.M | re.I))
    assert sources, "the runtime stage copies nothing from a build stage"
    ignored = dockerignore()
    inputs = compile_time_inputs()
    checked: set[str] = set()
    for name in sorted(sources):
        chain, stage = [], by_name.get(name.lower())
        while stage:
            chain.insert(0, stage)
            stage = by_name.get(stage["base"].lower())
        assert chain, f"COPY --from={name}: no such stage"
        copies: list[tuple[str, str]] = []   # (repository path, its path in the image)
        workdir = "/"
        for stage in chain:
            for instr, args in re.findall(r"^(COPY|ADD|WORKDIR|RUN)\s+(.*)$", stage["body"], re.M | re.I):
                instr = instr.upper()
                if instr == "WORKDIR":
                    workdir = posixpath.normpath(posixpath.join(workdir, args.strip()))
                elif instr in ("COPY", "ADD"):
                    if "--from=" in args:
                        continue
                    words = [w for w in (json.loads(args) if args.strip().startswith("[") else args.split())
                             if not w.startswith("--")]
                    *srcs, dest = words
                    dest_abs = posixpath.join(workdir, dest)
                    for s in srcs:
                        s = posixpath.normpath(s)
                        if (REPO / s).is_dir():
                            image = dest_abs            # a folder's contents land in dest
                        elif dest.endswith("/") or len(srcs) > 1:
                            image = posixpath.join(dest_abs, posixpath.basename(s))
                        else:
                            image = dest_abs
                        copies.append((s, posixpath.normpath(image)))
                elif "cargo build" in args:
                    for source, needs in inputs.items():
                        if not copied(copies, workdir, source):
                            continue
                        for path, why in needs:
                            assert copied(copies, workdir, path), (
                                f"{source} reads {path} at compile time ({why}), but no COPY before "
                                f"`cargo build` in stage {stage['name'] or stage['base']} puts it at {workdir}/{path}")
                            files = subprocess.run(["git", "ls-files", "-z", "--", path], cwd=REPO, capture_output=True,
                                                   text=True, check=True).stdout.split("\0")
                            dropped = [p for p in files if p and ignored(p)]
                            assert not dropped, f"{path} ({why}): .dockerignore excludes {dropped[:5]}"
                            checked.add(path)
    assert checked, "no compile-time inputs found: the source scan is broken"
    return sorted(checked)


def dockerfile_context() -> None:
    """Every COPY source exists and survives .dockerignore; everything the Rust code reads at
    compile time (found by scanning the sources: embedded folders, include_str!, migrations,
    .sqlx, build.rs inputs) is copied before `cargo build` (dockerfile_compile_inputs); the
    dependency stage's stub workspace (manifests + empty sources, as its RUN line makes them)
    resolves with the committed Cargo.lock (`cargo metadata --locked --offline`): what Docker
    would cache."""
    text = (DEPLOY / "Dockerfile").read_text()
    ignored = dockerignore()
    sources = []
    for line in re.findall(r"^COPY (?!--from)(.+)$", text, re.M):
        sources += line.split()[:-1]
    assert sources, "no COPY lines"
    for src in sources:
        assert (REPO / src).exists(), f"COPY {src}: not in the repository"
        assert not ignored(src), f"COPY {src} is excluded by .dockerignore"
    for needed in ("api", "infra", "domain", "Cargo.lock"):
        assert needed in sources, f"the image build needs {needed}"
    h.log("read at compile time and copied: " + ", ".join(dockerfile_compile_inputs(text)))
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
    checks.run("Dockerfile: COPY sources exist, compile-time inputs copied, dependency stage resolves with Cargo.lock",
               dockerfile_context)
    checks.run("compose.yaml validates against the Compose Specification schema", compose_schema)
    checks.run("compose: a service per README mode, health checks, depends_on conditions", compose_shape)
    checks.run("kustomize base + production render and validate (kubernetes-validate --strict)", kubernetes_validate)
    checks.run("k8s: a Deployment per README mode, probes on the real health port/paths, HPAs, PDBs", kubernetes_shape)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
