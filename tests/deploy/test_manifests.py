"""The deployment files (Dockerfile, deploy/): offline checks, no Docker and no cluster needed.

- Every Kubernetes manifest under deploy/k8s validates against the Kubernetes JSON schemas bundled
  with ``kubernetes-validate`` (strict: unknown fields are errors), before and after the sizing patch,
  and a broken manifest is rejected by the same validator.
- Every YAML file under deploy/ passes yamllint (deploy/.yamllint).
- deploy/compose.yaml, deploy/haproxy/haproxy.cfg, the Dockerfile and the manifests agree with each
  other and with the app (port 8501, /_stcore/health, the queue's environment variables, the model
  store, the worker's module, the README's install command).
- ``haproxy -c`` accepts the compose HAProxy configuration (skipped without haproxy), ``kubectl
  kustomize`` builds deploy/k8s (skipped without kubectl), and the Dockerfile's CMD flags start a
  real server that passes its HEALTHCHECK (slow).
"""
from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import kubernetes_validate
import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE = DEPLOY / "compose.yaml"
HAPROXY_CFG = DEPLOY / "haproxy" / "haproxy.cfg"
DOCKERFILE = ROOT / "Dockerfile"
#: Kubernetes versions whose schemas (bundled with kubernetes-validate) the manifests must pass.
K8S_VERSIONS = ("1.30", "1.33")
#: Files in deploy/k8s that are not resources: the kustomization and its patch.
NOT_RESOURCES = {"kustomization.yaml", "sizing.yaml"}
HEALTH_PATH = "/_stcore/health"
APP_PORT = 8501


# ----------------------------------------------------------------------------- helpers

def load_documents(path: Path) -> list[dict]:
    """The non-empty YAML documents of ``path``."""
    with open(path, encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def validate_manifest(doc: dict, version: str) -> str:
    """Validate one Kubernetes object against ``version``'s strict schema (offline).

    Raises ``kubernetes_validate.ValidationError`` (or ``SchemaNotFoundError`` for an unknown
    kind/apiVersion); returns the schema version used.
    """
    return kubernetes_validate.validate(doc, version, strict=True)


def lint_yaml(path: Path, config_file: Path = DEPLOY / ".yamllint") -> list:
    """yamllint's problems (warnings and errors) for ``path`` under ``config_file``."""
    conf = YamlLintConfig(file=str(config_file))
    return list(linter.run(path.read_text(encoding="utf-8"), conf, str(path)))


def strategic_merge(base, patch):
    """The subset of Kubernetes' strategic merge patch that sizing.yaml uses: maps merge, lists of
    named items (containers) merge by name, other lists and scalars are replaced."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            out[key] = strategic_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    if (isinstance(base, list) and isinstance(patch, list)
            and all(isinstance(item, dict) and "name" in item for item in base + patch)):
        out = [copy.deepcopy(item) for item in base]
        index = {item["name"]: i for i, item in enumerate(out)}
        for item in patch:
            if item["name"] in index:
                out[index[item["name"]]] = strategic_merge(out[index[item["name"]]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name not in NOT_RESOURCES)


def manifests() -> list[tuple[str, dict]]:
    """(file name, object) for every resource in deploy/k8s, as written."""
    return [(path.name, doc) for path in manifest_files() for doc in load_documents(path)]


def key(doc: dict) -> tuple[str, str]:
    return doc["kind"], doc["metadata"]["name"]


def sized_manifests() -> dict[tuple[str, str], dict]:
    """Every resource with deploy/k8s/sizing.yaml applied, by (kind, name)."""
    objects = {key(doc): doc for _, doc in manifests()}
    for patch in load_documents(K8S / "sizing.yaml"):
        assert key(patch) in objects, f"sizing.yaml patches {key(patch)}, which no manifest defines"
        objects[key(patch)] = strategic_merge(objects[key(patch)], patch)
    return objects


def pod_spec(objects, name: str) -> dict:
    return objects["Deployment", name]["spec"]["template"]["spec"]


def container(objects, name: str) -> dict:
    (only,) = pod_spec(objects, name)["containers"]
    return only


def env_of(c: dict) -> dict[str, object]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in c.get("env", [])}


def port_number(c: dict, port) -> int:
    """A probe's or Service's port (number or container port name) as a number."""
    if isinstance(port, int):
        return port
    return next(p["containerPort"] for p in c["ports"] if p.get("name") == port)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
             if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            instruction, _, args = line.strip().partition(" ")
            out.append((instruction.upper(), " ".join(args.split())))
    return out


def dockerfile(instruction: str) -> list[str]:
    return [args for instr, args in dockerfile_instructions() if instr == instruction]


def dockerfile_healthcheck_cmd() -> list[str]:
    (healthcheck,) = dockerfile("HEALTHCHECK")
    return json.loads(healthcheck.split(" CMD ", 1)[1])


def dockerfile_cmd() -> list[str]:
    (cmd,) = dockerfile("CMD")
    return json.loads(cmd)


def flags(argv: list[str]) -> dict[str, str]:
    """``--a.b=c`` / ``--a.b c`` arguments as {"a.b": "c"}."""
    out, i = {}, 0
    while i < len(argv):
        if argv[i].startswith("--"):
            name, eq, value = argv[i][2:].partition("=")
            if not eq:
                i += 1
                value = argv[i]
            out[name] = value
        i += 1
    return out


def compose() -> dict:
    (doc,) = load_documents(COMPOSE)
    return doc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- Kubernetes schemas

@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("name,doc", manifests(), ids=lambda v: v if isinstance(v, str) else f"{v['kind']}/{v['metadata']['name']}")
def test_every_manifest_validates_against_the_kubernetes_schema(name, doc, version):
    assert validate_manifest(doc, version) == version


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_every_manifest_validates_with_the_sizing_patch_applied(version):
    for doc in sized_manifests().values():
        validate_manifest(doc, version)


BROKEN = {
    "a misspelt field": lambda d: d["spec"].__setitem__("replica", 2),
    "a port that is no number": lambda d: container_of(d).__setitem__("ports", [{"containerPort": "http"}]),
    "no selector": lambda d: d["spec"].pop("selector"),
    "an environment variable without a name": lambda d: container_of(d)["env"][0].pop("name"),
}


def container_of(deployment: dict) -> dict:
    return deployment["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("breakage", sorted(BROKEN))
def test_the_validator_rejects_a_broken_manifest(tmp_path, breakage):
    (web,) = load_documents(K8S / "web.yaml")
    BROKEN[breakage](web)
    broken = tmp_path / "web.yaml"
    broken.write_text(yaml.safe_dump(web), encoding="utf-8")
    (doc,) = load_documents(broken)
    with pytest.raises(kubernetes_validate.ValidationError):
        validate_manifest(doc, K8S_VERSIONS[0])


def test_the_validator_rejects_an_unknown_kind():
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate_manifest({"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "x"}},
                          K8S_VERSIONS[0])


def test_kustomization_lists_every_manifest_and_the_sizing_patch():
    (kustomization,) = load_documents(K8S / "kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(p.name for p in manifest_files())
    assert [p["path"] for p in kustomization["patches"]] == ["sizing.yaml"]
    namespaces = [doc["metadata"]["name"] for _, doc in manifests() if doc["kind"] == "Namespace"]
    assert namespaces == [kustomization["namespace"]]
    for name, doc in manifests():
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == kustomization["namespace"], name
    images = {c["image"].split(":")[0] for _, doc in manifests() if doc["kind"] == "Deployment"
              for c in doc["spec"]["template"]["spec"]["containers"]}
    assert {"neural-explainer"} <= images
    assert "neural-explainer" in {i["name"] for i in kustomization["images"]}


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_kustomize_builds_valid_sized_objects():
    built = subprocess.run(["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60)
    assert built.returncode == 0, built.stderr
    docs = [d for d in yaml.safe_load_all(built.stdout) if d]
    for doc in docs:
        validate_manifest(doc, K8S_VERSIONS[0])
    objects = {key(doc): doc for doc in docs}
    assert objects.keys() == sized_manifests().keys()
    for name in ("web", "worker", "redis"):
        assert objects["Deployment", name]["spec"]["template"]["spec"]["containers"][0]["resources"] == \
            container(sized_manifests(), name)["resources"], name


# ----------------------------------------------------------------------------- what the manifests say

def test_web_pods_probe_streamlits_health_endpoint_and_run_as_the_images_user():
    objects = sized_manifests()
    web = container(objects, "web")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert web[probe]["httpGet"]["path"] == HEALTH_PATH, probe
        assert port_number(web, web[probe]["httpGet"]["port"]) == APP_PORT, probe
    assert port_number(web, "http") == APP_PORT
    (user,) = dockerfile("USER")
    for name in ("web", "worker"):
        security = pod_spec(objects, name)["securityContext"]
        assert security["runAsNonRoot"] is True
        assert str(security["runAsUser"]) == user.split(":")[0] != "0"
        assert container(objects, name)["securityContext"]["allowPrivilegeEscalation"] is False
    assert "replicas" not in objects["Deployment", "web"]["spec"], "the autoscaler owns the web pod count"


def test_every_container_has_sized_requests_and_a_memory_limit():
    for (kind, name), doc in sized_manifests().items():
        if kind == "Deployment":
            resources = container(sized_manifests(), name)["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), name
            assert "memory" in resources["limits"], name


def test_web_and_worker_share_the_queue_and_the_model_store():
    from core.training import jobs, store

    objects = sized_manifests()
    (pvc,) = [doc for (kind, _), doc in objects.items() if kind == "PersistentVolumeClaim"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    redis_service = objects["Service", "redis"]
    for name in ("web", "worker"):
        env = env_of(container(objects, name))
        queue = urlparse(env[jobs.QUEUE_URL_ENV_VAR])
        assert (queue.scheme, queue.hostname, queue.port) == ("redis", "redis", redis_service["spec"]["ports"][0]["port"])
        mounts = {m["name"]: m["mountPath"] for m in container(objects, name)["volumeMounts"]}
        claims = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod_spec(objects, name)["volumes"]
                  if "persistentVolumeClaim" in v}
        (volume,) = [v for v, claim in claims.items() if claim == pvc["metadata"]["name"]]
        assert mounts[volume] == env[store.CACHE_ENV_VAR] == "/models", name
    assert env_of(container(objects, "web"))[jobs.CONSUMER_ENV_VAR] == "external"
    secret_ref = env_of(container(objects, "web"))["STREAMLIT_SERVER_COOKIE_SECRET"]["secretKeyRef"]
    secret = objects["Secret", secret_ref["name"]]
    assert secret_ref["key"] in secret["stringData"]


def test_the_worker_runs_the_training_consumer_on_one_gpu():
    objects = sized_manifests()
    worker = container(objects, "worker")
    assert worker["command"] == ["python", "-m", "core.training.worker"]
    assert (ROOT / "core" / "training" / "worker.py").is_file()
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == 1
    spec = objects["Deployment", "worker"]["spec"]
    assert spec["replicas"] == 1 and spec["strategy"]["type"] == "Recreate"


def test_service_ingress_and_autoscaler_point_at_the_web_pods():
    objects = sized_manifests()
    web = objects["Deployment", "web"]
    service = objects["Service", "web"]
    assert service["spec"]["selector"].items() <= web["spec"]["template"]["metadata"]["labels"].items()
    assert port_number(container(objects, "web"), service["spec"]["ports"][0]["targetPort"]) == APP_PORT

    (ingress,) = [doc for (kind, _), doc in objects.items() if kind == "Ingress"]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert notes["nginx.ingress.kubernetes.io/affinity-mode"] == "persistent"
    assert notes["nginx.ingress.kubernetes.io/session-cookie-name"]
    for timeout in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(notes[f"nginx.ingress.kubernetes.io/{timeout}"]) >= 3600
    assert int(notes["nginx.ingress.kubernetes.io/proxy-body-size"].rstrip("m")) > 25   # 25 MB uploads
    backends = [p["backend"]["service"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert {b["name"] for b in backends} == {"web"}
    assert {b["port"]["name"] for b in backends} <= {p["name"] for p in service["spec"]["ports"]}

    hpa = objects["HorizontalPodAutoscaler", "web"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


# ----------------------------------------------------------------------------- yamllint

def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.rglob("*.yaml"), *DEPLOY.rglob("*.yml"), DEPLOY / ".yamllint"])


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yamllint_passes(path):
    problems = lint_yaml(path)
    assert not problems, "\n".join(f"{path}:{p.line}:{p.column} {p.level} {p.message}" for p in problems)


def test_yamllint_flags_broken_yaml(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("apiVersion: v1\nkind: Service\nkind: Pod\nmetadata:\n   name: x\n", encoding="utf-8")
    messages = {p.rule for p in lint_yaml(broken)}
    assert {"key-duplicates", "indentation"} <= messages


# ----------------------------------------------------------------------------- docker compose

def test_compose_runs_web_behind_haproxy_with_a_worker_and_redis():
    services = compose()["services"]
    assert {"web", "worker", "redis", "haproxy"} <= services.keys()
    web, worker, haproxy = services["web"], services["worker"], services["haproxy"]
    assert web["deploy"]["replicas"] >= 2
    assert "ports" not in web and haproxy["ports"], "only HAProxy is published (replicas cannot share a host port)"
    assert web["healthcheck"]["test"] == ["CMD", *dockerfile_healthcheck_cmd()]
    assert any(HEALTH_PATH in part for part in web["healthcheck"]["test"])
    assert worker["healthcheck"] == {"disable": True}
    assert worker["command"] == ["python", "-m", "core.training.worker"]
    assert web["image"] == worker["image"]
    assert (COMPOSE.parent / web["build"]["context"] / "Dockerfile").resolve() == DOCKERFILE


def test_compose_web_and_worker_share_the_queue_and_the_model_store():
    from core.training import jobs, store

    doc = compose()
    services = doc["services"]
    for name in ("web", "worker"):
        env = services[name]["environment"]
        queue = urlparse(env[jobs.QUEUE_URL_ENV_VAR])
        assert queue.hostname in services and queue.hostname == "redis"
        mounts = dict(v.split(":")[:2] for v in services[name]["volumes"])
        assert mounts["models"] == env[store.CACHE_ENV_VAR], name
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "models" in doc["volumes"]
    assert services["web"]["environment"][jobs.CONSUMER_ENV_VAR] == "external"
    assert "STREAMLIT_SERVER_COOKIE_SECRET" in services["web"]["environment"]


def test_compose_haproxy_publishes_the_port_its_config_binds_and_mounts_that_config():
    haproxy = compose()["services"]["haproxy"]
    (port,) = haproxy["ports"]
    container_port = int(str(port).rsplit(":", 1)[1])
    cfg = HAPROXY_CFG.read_text(encoding="utf-8")
    assert re.search(rf"^\s*bind\s+:{container_port}\s*$", cfg, re.M)
    (mount,) = haproxy["volumes"]
    source, target = mount.split(":")[:2]
    assert (COMPOSE.parent / source).resolve() == HAPROXY_CFG
    assert target == "/usr/local/etc/haproxy/haproxy.cfg"


# ----------------------------------------------------------------------------- HAProxy

def test_haproxy_config_finds_scaled_replicas_sticks_sessions_and_keeps_websockets():
    cfg = HAPROXY_CFG.read_text(encoding="utf-8")
    template = re.search(r"^\s*server-template\s+\S+\s+\d+-\d+\s+(\w+):(\d+)\s.*\bresolvers\s+(\w+)", cfg, re.M)
    assert template, "server-template with a resolvers section"
    service, port, resolvers = template.groups()
    assert service in compose()["services"] and int(port) == APP_PORT
    assert re.search(rf"^resolvers\s+{resolvers}\s*$", cfg, re.M)
    assert re.search(r"^\s*nameserver\s+\S+\s+127\.0\.0\.11:53\s*$", cfg, re.M), "Docker's embedded DNS"
    assert re.search(r"^\s*cookie\s+\S+\s+insert\b", cfg, re.M)
    assert re.search(r"^\s*timeout\s+tunnel\s+1h\s*$", cfg, re.M)
    assert re.search(rf"^\s*http-check\s+send\s+meth\s+GET\s+uri\s+{re.escape(HEALTH_PATH)}\s*$", cfg, re.M)


def haproxy_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["haproxy", "-c", "-f", str(path)], capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed (apt-get install haproxy)")
def test_haproxy_accepts_the_compose_config():
    result = haproxy_check(HAPROXY_CFG)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy not installed (apt-get install haproxy)")
def test_haproxy_check_rejects_a_broken_config(tmp_path):
    broken = tmp_path / "haproxy.cfg"
    broken.write_text(HAPROXY_CFG.read_text(encoding="utf-8") + "    timeout tunel 1h\n", encoding="utf-8")
    assert haproxy_check(broken).returncode != 0


# ----------------------------------------------------------------------------- Dockerfile

def makefile_install_commands() -> list[str]:
    """The pip commands of the Makefile recipe behind the README's `make run`, as plain `python -m pip`."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^\$\(VENV\)/\.runtime:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe, "Makefile: the $(VENV)/.runtime recipe (make run's install step)"
    return [" ".join(line.replace("$(BIN)/python", "python").split())
            for line in recipe.group(1).splitlines() if "pip install" in line]


def test_dockerfile_installs_exactly_like_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    commands = makefile_install_commands()
    assert any(shlex.split(c)[-2:] == ["-r", "requirements.txt"] for c in commands)
    run_commands = [c.strip() for run in dockerfile("RUN") for c in run.split("&&")]
    for command in commands:
        assert command in run_commands, f"Dockerfile lacks the README's install command: {command}"


def test_dockerfile_bakes_the_weights_in_and_runs_streamlit_as_a_non_root_user():
    (base,) = dockerfile("FROM")
    assert base == "python:3.11-slim"
    assert ". ." in dockerfile("COPY"), "the whole repository (code and assets/models) is copied"
    (user,) = dockerfile("USER")
    assert user.split(":")[0] not in {"root", "0"}
    assert dockerfile("EXPOSE") == [str(APP_PORT)]
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")]
    assert {".venv", ".git"} <= set(ignored)
    assert not any(pattern.startswith("assets") for pattern in ignored)


def test_dockerfile_healthcheck_and_cmd_serve_app_py_on_8501():
    healthcheck = " ".join(dockerfile_healthcheck_cmd())
    assert f"http://127.0.0.1:{APP_PORT}{HEALTH_PATH}" in healthcheck
    cmd = dockerfile_cmd()
    assert cmd[:3] == ["streamlit", "run", "app.py"]
    options = flags(cmd[3:])
    assert options["server.address"] == "0.0.0.0"
    assert options["server.port"] == str(APP_PORT)
    assert options["server.headless"] == "true"
    assert options["server.enableXsrfProtection"] == "true"
    assert options["server.enableCORS"] == "true"
    assert "server.cookieSecret" not in options, "the secret comes from the environment, never the image"


@pytest.mark.slow
def test_the_images_cmd_flags_start_a_server_that_passes_the_healthcheck(tmp_path):
    """The Dockerfile's CMD and HEALTHCHECK, run here (venv Python, a free port instead of 8501)."""
    port = str(free_port())
    cmd = dockerfile_cmd()
    argv = [sys.executable, "-m", *cmd[:3]] + [
        f"--server.port={port}" if a.startswith("--server.port") else a for a in cmd[3:]]
    check = [sys.executable if a == "python" else a.replace(f":{APP_PORT}/", f":{port}/")
             for a in dockerfile_healthcheck_cmd()]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "NEURAL_EXPLAINER_WARMUP": "0",
           "NEURAL_EXPLAINER_CACHE": str(tmp_path / "models"), "STREAMLIT_SERVER_COOKIE_SECRET": "test"}
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            if subprocess.run(check, capture_output=True, timeout=10).returncode == 0:
                break
            assert time.monotonic() < deadline, "no healthy server within 60 s:\n" + log.read_text(errors="replace")
            time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
