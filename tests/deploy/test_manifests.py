"""The deployment files (Dockerfile, deploy/): offline checks, no Docker and no cluster needed.

- Every Kubernetes manifest under deploy/k8s validates against the Kubernetes JSON schemas bundled
  with ``kubernetes-validate`` (strict: unknown fields are errors), before and after the sizing patch,
  and a broken manifest is rejected by the same validator.
- Every YAML file under deploy/ passes yamllint (deploy/.yamllint).
- The security fields: no service-account token, a read-only root filesystem with a writable mount
  for every path the app writes, the NetworkPolicies (evaluated for who may reach whom), Redis'
  password from the generated Secret in Redis and in the queue URL, TLS on the Ingress; compose's
  limits, networks and refusal to start without its secrets; a real redis-server started with the
  manifests' own command refuses a client without the password; every page opens with the root
  filesystem read-only (a user and mount namespace, ``unshare -rm``; slow, skipped where not allowed).
- deploy/compose.yaml, deploy/haproxy/haproxy.cfg, the Dockerfile and the manifests agree with each
  other and with the app (port 8501, /_stcore/health, the queue's environment variables, the model
  store, the worker's module, the README's install command).
- ``haproxy -c`` accepts the compose HAProxy configuration (skipped without haproxy), ``kubectl
  kustomize`` builds deploy/k8s with the example secrets and refuses without them (skipped without
  kubectl), and the Dockerfile's CMD flags start a real server that passes its HEALTHCHECK (slow).
"""

from __future__ import annotations

import copy
import json
import os
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
COMPOSE_ENV_EXAMPLE = DEPLOY / ".env.example"
SECRETS_ENV_EXAMPLE = K8S / "secrets.env.example"
HAPROXY_CFG = DEPLOY / "haproxy" / "haproxy.cfg"
DOCKERFILE = ROOT / "Dockerfile"
#: Kubernetes versions whose schemas (bundled with kubernetes-validate) the manifests must pass.
K8S_VERSIONS = ("1.30", "1.33")
#: Files in deploy/k8s that are not resources: the kustomization and its patch.
NOT_RESOURCES = {"kustomization.yaml", "sizing.yaml"}
HEALTH_PATH = "/_stcore/health"
APP_PORT = 8501
REDIS_PORT = 6379
#: The TLS Secret the Ingress names (deploy/README.md tells the operator to create it).
TLS_SECRET = "neural-explainer-tls"
#: Where the image's processes write (Dockerfile ENV and the user's home): each must lie on a
#: writable mount in every deployment, since the root filesystem is read-only.
WRITTEN_ENV = ("NEURAL_EXPLAINER_CACHE", "KERAS_HOME", "MPLCONFIGDIR", "HOME")


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
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(item, dict) and "name" in item for item in base + patch)
    ):
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


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an environment file (kustomize's and compose's format), comments dropped."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, eq, value = line.partition("=")
            assert eq, f"{path.name}: not KEY=VALUE: {line!r}"
            out[name.strip()] = value.strip()
    return out


def kustomization() -> dict:
    (doc,) = load_documents(K8S / "kustomization.yaml")
    return doc


def generated_secrets() -> list[dict]:
    """The Secrets of kustomization.yaml's secretGenerator, with the keys of secrets.env.example
    (placeholder values) and the generator's name (kustomize adds a content hash to it)."""
    out = []
    for generator in kustomization()["secretGenerator"]:
        assert generator["envs"] == ["secrets.env"], (
            "one git-ignored env file; its example documents the keys"
        )
        keys = read_env_file(SECRETS_ENV_EXAMPLE)
        out.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": generator.get("type", "Opaque"),
                "metadata": {"name": generator["name"], "namespace": kustomization()["namespace"]},
                "stringData": {k: "0" * 64 for k in keys},
            }
        )
    return out


def sized_manifests() -> dict[tuple[str, str], dict]:
    """Every resource with deploy/k8s/sizing.yaml applied and the generated Secrets, by (kind, name)."""
    objects = {key(doc): doc for _, doc in manifests()}
    objects.update({key(doc): doc for doc in generated_secrets()})
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
    lines = [
        line
        for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
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


class MissingVariable(ValueError):
    """A ``${VAR:?message}`` of the compose file with VAR unset or empty: compose refuses to start."""


INTERPOLATION = re.compile(
    r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)


def interpolate(value, env: dict[str, str]):
    """docker compose's variable substitution over a loaded compose document: ``$$`` is a literal
    ``$``; ``${VAR}``, ``$VAR``; ``${VAR:-default}`` / ``${VAR-default}``; ``${VAR:?message}`` /
    ``${VAR?message}`` raise :class:`MissingVariable` when VAR is unset (``:``: or empty)."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def substitute(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2) or "", match.group(3) or ""
        present = name in env and (env[name] != "" or not operator.startswith(":"))
        if operator.endswith("?") and not present:
            raise MissingVariable(f"{name}: {argument}")
        if operator.endswith("-") and not present:
            return argument
        return env.get(name, "")

    return INTERPOLATION.sub(substitute, value)


def compose_env() -> dict[str, str]:
    """deploy/.env as the operator fills it in: the example's keys with 64-hex-digit values."""
    return {name: "ab" * 32 for name in read_env_file(COMPOSE_ENV_EXAMPLE)}


def compose(env: dict[str, str] | None = None) -> dict:
    """deploy/compose.yaml as compose sees it with ``env`` (default :func:`compose_env`)."""
    (doc,) = load_documents(COMPOSE)
    return interpolate(doc, compose_env() if env is None else env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------- Kubernetes schemas


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize(
    "name,doc", manifests(), ids=lambda v: v if isinstance(v, str) else f"{v['kind']}/{v['metadata']['name']}"
)
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
        validate_manifest(
            {"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "x"}}, K8S_VERSIONS[0]
        )


def test_kustomization_lists_every_manifest_and_the_sizing_patch():
    kustomization = globals()["kustomization"]()
    assert sorted(kustomization["resources"]) == sorted(p.name for p in manifest_files())
    assert [p["path"] for p in kustomization["patches"]] == ["sizing.yaml"]
    namespaces = [doc["metadata"]["name"] for _, doc in manifests() if doc["kind"] == "Namespace"]
    assert namespaces == [kustomization["namespace"]]
    for name, doc in manifests():
        if doc["kind"] != "Namespace":
            assert doc["metadata"].get("namespace") == kustomization["namespace"], name
    images = {
        c["image"].split(":")[0]
        for _, doc in manifests()
        if doc["kind"] == "Deployment"
        for c in doc["spec"]["template"]["spec"]["containers"]
    }
    assert {"neural-explainer"} <= images
    assert "neural-explainer" in {i["name"] for i in kustomization["images"]}


def kubectl_kustomize(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_kustomize_builds_valid_sized_objects_with_the_operators_secrets(tmp_path):
    k8s = tmp_path / "k8s"
    shutil.copytree(K8S, k8s, ignore=shutil.ignore_patterns("secrets.env"))
    keys = read_env_file(SECRETS_ENV_EXAMPLE)
    (k8s / "secrets.env").write_text("".join(f"{k}={'ab' * 32}\n" for k in keys), encoding="utf-8")
    built = kubectl_kustomize(k8s)
    assert built.returncode == 0, built.stderr
    docs = [d for d in yaml.safe_load_all(built.stdout) if d]
    for doc in docs:
        validate_manifest(doc, K8S_VERSIONS[0])
    (secret,) = [d for d in docs if d["kind"] == "Secret"]
    generated = secret["metadata"]["name"]
    assert re.fullmatch(r"neural-explainer-secrets-[a-z0-9]{10}", generated), generated
    assert set(secret["data"]) == set(keys)
    objects = {key(doc): doc for doc in docs}
    expected = {(k, "neural-explainer-secrets" if n == generated else n) for k, n in objects}
    assert expected == sized_manifests().keys()
    for name in ("web", "worker", "redis"):
        built_container = objects["Deployment", name]["spec"]["template"]["spec"]["containers"][0]
        assert built_container["resources"] == container(sized_manifests(), name)["resources"], name
        refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in built_container["env"] if "valueFrom" in e}
        assert refs == {generated}, f"{name}: kustomize rewrote the Secret references to the generated name"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_kustomize_refuses_to_build_without_the_secrets_file(tmp_path):
    k8s = tmp_path / "k8s"
    shutil.copytree(K8S, k8s, ignore=shutil.ignore_patterns("secrets.env"))
    built = kubectl_kustomize(k8s)
    assert built.returncode != 0 and "secrets.env" in built.stderr


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


def test_every_container_has_cpu_and_memory_requests_and_limits_in_its_own_manifest():
    for name, doc in manifests():
        if doc["kind"] == "Deployment":
            (c,) = doc["spec"]["template"]["spec"]["containers"]
            resources = c["resources"]
            assert {"cpu", "memory"} <= resources["requests"].keys(), name
            assert {"cpu", "memory"} <= resources["limits"].keys(), name
            for what in ("cpu", "memory"):
                assert quantity(resources["requests"][what]) <= quantity(resources["limits"][what]), (
                    name,
                    what,
                )
    assert {key(doc) for doc in load_documents(K8S / "sizing.yaml")} == {("HorizontalPodAutoscaler", "web")}


def quantity(value) -> float:
    """A Kubernetes quantity ("500m", "1.5Gi", 2) as a number (cores or bytes)."""
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    assert match and match.group(2) in {"", *units}, value
    return float(match.group(1)) * units.get(match.group(2), 1)


def test_web_and_worker_share_the_queue_and_the_model_store():
    from core.training import jobs, store

    objects = sized_manifests()
    (pvc,) = [doc for (kind, _), doc in objects.items() if kind == "PersistentVolumeClaim"]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    redis_service = objects["Service", "redis"]
    for name in ("web", "worker"):
        env = env_of(container(objects, name))
        queue = urlparse(env[jobs.QUEUE_URL_ENV_VAR])
        assert (queue.scheme, queue.hostname, queue.port) == (
            "redis",
            "redis",
            redis_service["spec"]["ports"][0]["port"],
        )
        mounts = {m["name"]: m["mountPath"] for m in container(objects, name)["volumeMounts"]}
        claims = {
            v["name"]: v["persistentVolumeClaim"]["claimName"]
            for v in pod_spec(objects, name)["volumes"]
            if "persistentVolumeClaim" in v
        }
        (volume,) = [v for v, claim in claims.items() if claim == pvc["metadata"]["name"]]
        assert mounts[volume] == env[store.CACHE_ENV_VAR] == "/models", name
    assert env_of(container(objects, "web"))[jobs.CONSUMER_ENV_VAR] == "external"
    secret_ref = env_of(container(objects, "web"))["STREAMLIT_SERVER_COOKIE_SECRET"]["secretKeyRef"]
    secret = objects["Secret", secret_ref["name"]]
    assert secret_ref["key"] == "cookie-secret" and secret_ref["key"] in secret["stringData"]


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
    assert int(notes["nginx.ingress.kubernetes.io/proxy-body-size"].rstrip("m")) > 25  # 25 MB uploads
    backends = [p["backend"]["service"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert {b["name"] for b in backends} == {"web"}
    assert {b["port"]["name"] for b in backends} <= {p["name"] for p in service["spec"]["ports"]}

    hpa = objects["HorizontalPodAutoscaler", "web"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


# ----------------------------------------------------------------------------- security fields


def deployments(objects) -> list[str]:
    return sorted(name for kind, name in objects if kind == "Deployment")


def dockerfile_env() -> dict[str, str]:
    """The image's ENV (``ENV A=1 B=2`` lines)."""
    out = {}
    for env in dockerfile("ENV"):
        out.update(dict(item.split("=", 1) for item in shlex.split(env)))
    return out


def test_no_pod_mounts_a_service_account_token():
    objects = sized_manifests()
    assert deployments(objects) == ["redis", "web", "worker"]
    for name in deployments(objects):
        assert pod_spec(objects, name)["automountServiceAccountToken"] is False, name
        assert pod_spec(objects, name)["enableServiceLinks"] is False, name


def test_every_container_is_locked_down_with_a_read_only_root_filesystem():
    objects = sized_manifests()
    for name in deployments(objects):
        pod = pod_spec(objects, name)["securityContext"]
        assert pod["runAsNonRoot"] is True and int(pod["runAsUser"]) >= 10000, name
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}, name
        security = container(objects, name)["securityContext"]
        assert security == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, name
        assert container(objects, name)["imagePullPolicy"] == "Always", name


def writable_mounts(objects, name: str) -> dict[str, str]:
    """{mount path: "emptyDir" or "pvc:<claim>"} of a Deployment's container."""
    volumes = {}
    for v in pod_spec(objects, name)["volumes"]:
        if "emptyDir" in v:
            assert "sizeLimit" in v["emptyDir"], f"{name}: emptyDir {v['name']} without a sizeLimit"
            volumes[v["name"]] = "emptyDir"
        else:
            volumes[v["name"]] = "pvc:" + v["persistentVolumeClaim"]["claimName"]
    return {
        m["mountPath"]: volumes[m["name"]]
        for m in container(objects, name)["volumeMounts"]
        if not m.get("readOnly")
    }


def under(path: str, mounts) -> bool:
    return any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounts)


def test_every_path_the_app_writes_is_a_writable_mount():
    objects = sized_manifests()
    env = dockerfile_env()
    assert env["HOME"] == "/home/app" and "--home-dir /home/app" in " ".join(dockerfile("RUN"))
    assert env["NEURAL_EXPLAINER_CACHE"] == "/models"
    assert env["KERAS_HOME"].startswith("/models/"), "make data's files on the shared model store"
    assert env["MPLCONFIGDIR"].startswith("/tmp/")
    written = ["/tmp", *(env[var] for var in WRITTEN_ENV)]
    for name in ("web", "worker"):
        mounts = writable_mounts(objects, name)
        assert mounts == {"/models": "pvc:models", "/tmp": "emptyDir", "/home/app": "emptyDir"}, name
        for path in written:
            assert under(path, mounts), f"{name} writes {path}, which is on the read-only root filesystem"
        c_env = env_of(container(objects, name))
        assert all(c_env.get(var, env[var]) == env[var] for var in WRITTEN_ENV), name
    assert writable_mounts(objects, "redis") == {"/data": "emptyDir"}


def test_the_queue_url_carries_redis_password_from_the_generated_secret():
    from core.training import jobs

    objects = sized_manifests()
    (generator,) = kustomization()["secretGenerator"]
    assert "redis-password" in read_env_file(SECRETS_ENV_EXAMPLE)
    for name in ("web", "worker"):
        env = container(objects, name)["env"]
        names = [e["name"] for e in env]
        # $(VAR) expands only from variables defined earlier in the list.
        assert names.index("REDIS_PASSWORD") < names.index(jobs.QUEUE_URL_ENV_VAR), name
        assert env_of(container(objects, name))["REDIS_PASSWORD"] == {
            "secretKeyRef": {"name": generator["name"], "key": "redis-password"}
        }, name
        queue = urlparse(env_of(container(objects, name))[jobs.QUEUE_URL_ENV_VAR])
        assert (queue.username, queue.password) == ("", "$(REDIS_PASSWORD)"), name
    redis = container(objects, "redis")
    for var in ("REDIS_PASSWORD", "REDISCLI_AUTH"):
        assert env_of(redis)[var] == {"secretKeyRef": {"name": generator["name"], "key": "redis-password"}}
    script = " ".join(redis["command"] + redis["args"])
    assert '--requirepass "$REDIS_PASSWORD"' in script and "$(" not in script
    assert redis["readinessProbe"]["exec"]["command"] == ["redis-cli", "ping"]


def test_the_secrets_file_is_never_committed_or_baked_in():
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    dockerignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "deploy/k8s/secrets.env" in gitignore and "deploy/k8s/secrets.env" in dockerignore
    assert "deploy/.env" in gitignore and "**/.env" in dockerignore
    for example in (SECRETS_ENV_EXAMPLE, COMPOSE_ENV_EXAMPLE):
        assert set(read_env_file(example).values()) == {""}, f"{example.name} ships no value"


# NetworkPolicy semantics, small enough to check the manifests against: a connection is allowed when
# the source's egress and the destination's ingress both allow it. A pod is isolated in a direction
# when a policy selecting it names that direction; then only a rule of such a policy lets traffic
# through. Peers: podSelector alone = pods of the policy's namespace; namespaceSelector (+ podSelector)
# = pods of matching namespaces; ipBlock = addresses outside the cluster.


def matches(selector: dict, labels: dict) -> bool:
    assert set(selector) <= {"matchLabels"}, f"only matchLabels is evaluated here: {selector}"
    return selector.get("matchLabels", {}).items() <= labels.items()


def peer_matches(peer: dict, pod: dict, policy_namespace: str) -> bool:
    if "ipBlock" in peer:
        return pod.get("external", False)
    if pod.get("external"):
        return False
    if "namespaceSelector" in peer:
        if not matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": pod["namespace"]}):
            return False
    elif pod["namespace"] != policy_namespace:
        return False
    return matches(peer.get("podSelector", {}), pod["labels"])


def direction_allows(policies, pod, peer_pod, port: int, protocol: str, direction: str) -> bool:
    peers_key = "from" if direction == "Ingress" else "to"
    selecting = [
        p
        for p in policies
        if p["metadata"]["namespace"] == pod.get("namespace")
        and matches(p["spec"]["podSelector"], pod["labels"])
        and direction in p["spec"]["policyTypes"]
    ]
    if pod.get("external") or not selecting:
        return True  # not isolated (or not ours)
    for policy in selecting:
        for rule in policy["spec"].get(direction.lower(), []):
            peers_ok = (
                "from" not in rule
                and "to" not in rule
                or any(
                    peer_matches(peer, peer_pod, policy["metadata"]["namespace"]) for peer in rule[peers_key]
                )
            )
            ports_ok = "ports" not in rule or any(
                p["port"] == port and p.get("protocol", "TCP") == protocol for p in rule["ports"]
            )
            if peers_ok and ports_ok:
                return True
    return False


def allowed(policies, source: dict, destination: dict, port: int, protocol: str = "TCP") -> bool:
    return direction_allows(policies, source, destination, port, protocol, "Egress") and direction_allows(
        policies, destination, source, port, protocol, "Ingress"
    )


def test_network_policies_allow_exactly_what_the_app_needs():
    objects = sized_manifests()
    policies = [doc for (kind, _), doc in objects.items() if kind == "NetworkPolicy"]
    namespace = kustomization()["namespace"]

    def pod(name):
        return {
            "namespace": namespace,
            "labels": objects["Deployment", name]["spec"]["template"]["metadata"]["labels"],
        }

    web, worker, redis = pod("web"), pod("worker"), pod("redis")
    ingress_controller = {"namespace": "ingress-nginx", "labels": {"app.kubernetes.io/name": "ingress-nginx"}}
    dns = {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}}
    other_namespace = {
        "namespace": "default",
        "labels": {"app.kubernetes.io/name": "neural-explainer", "app.kubernetes.io/component": "web"},
    }
    stranger = {"namespace": namespace, "labels": {"app": "debug"}}  # a pod someone starts in the namespace
    internet = {"external": True, "labels": {}}
    redis_port = port_number(
        container(objects, "redis"), objects["Service", "redis"]["spec"]["ports"][0]["targetPort"]
    )
    assert redis_port == REDIS_PORT

    assert allowed(policies, ingress_controller, web, APP_PORT)
    assert allowed(policies, web, redis, REDIS_PORT)
    assert allowed(policies, worker, redis, REDIS_PORT)
    for source in (web, worker, redis, stranger):
        assert allowed(policies, source, dns, 53, "UDP") and allowed(policies, source, dns, 53, "TCP")

    refused = [
        (other_namespace, redis, REDIS_PORT),
        (stranger, redis, REDIS_PORT),
        (ingress_controller, redis, REDIS_PORT),
        (ingress_controller, worker, APP_PORT),
        (ingress_controller, web, 9090),
        (stranger, web, APP_PORT),
        (worker, web, APP_PORT),
        (web, worker, APP_PORT),
        (redis, web, APP_PORT),
        (web, redis, 6380),
        (web, internet, 443),
        (worker, internet, 443),
        (redis, internet, 443),
        (internet, web, APP_PORT),
        (web, dns, 80),
        (stranger, internet, 443),
        (internet, stranger, 8080),
    ]
    for source, destination, port in refused:
        assert not allowed(policies, source, destination, port), (source, destination, port)


def test_default_deny_covers_every_pod_and_every_workload_has_its_own_policy():
    objects = sized_manifests()
    policies = {name: doc["spec"] for (kind, name), doc in objects.items() if kind == "NetworkPolicy"}
    assert policies["default-deny"] == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    assert policies["allow-dns"]["podSelector"] == {} and policies["allow-dns"]["policyTypes"] == ["Egress"]
    assert [p["port"] for rule in policies["allow-dns"]["egress"] for p in rule["ports"]] == [53, 53]
    for name in deployments(objects):
        labels = objects["Deployment", name]["spec"]["template"]["metadata"]["labels"]
        own = [
            n for n, spec in policies.items() if spec["podSelector"] and matches(spec["podSelector"], labels)
        ]
        assert own == [name], f"{name}: selected by {own}"
    assert policies["web"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": APP_PORT}]
    assert policies["worker"]["ingress"] == [] and policies["redis"]["egress"] == []


def test_the_ingress_serves_tls_from_the_documented_secret_and_limits_no_ip():
    objects = sized_manifests()
    (ingress,) = [doc for (kind, _), doc in objects.items() if kind == "Ingress"]
    (tls,) = ingress["spec"]["tls"]
    assert tls["secretName"] == TLS_SECRET
    assert tls["hosts"] == [rule["host"] for rule in ingress["spec"]["rules"]]
    notes = ingress["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/force-ssl-redirect"] == "true"
    # A lecture hall behind one campus NAT address is one client: no per-IP limits.
    assert not [n for n in notes if re.search(r"limit-(rps|rpm|connections|burst)|whitelist-source", n)]
    assert not re.search(
        r"stick-table|sc0_|src_conn|src_http_req_rate", HAPROXY_CFG.read_text(encoding="utf-8")
    )
    for readme in (DEPLOY / "README.md", ROOT / "README.md"):
        text = readme.read_text(encoding="utf-8")
        assert TLS_SECRET in text and "secrets.env" in text, readme


#: Opens every page and runs the warm-up's loaders (TensorFlow, the shipped models, Matplotlib),
#: as the read-only-root test's child process does.
READ_ONLY_CHILD = """
import sys
from core.adapters.catalog import PAGES
from core.adapters.cached import warmup
from tests.app.apptest import open_page
for script in ["home", *(p.url_path for p in PAGES)]:
    at = open_page(script)
    shown = [e.value for e in at.error] + [e.value for e in at.warning]
    assert not any("Read-only" in str(v) for v in shown), (script, shown)
for load in [f for loaders in warmup._warmup_plan().values() for f in loaders]:
    load()
import matplotlib.pyplot as plt
plt.figure().savefig("/dev/null", format="png")
print("ALL PAGES OPENED")
"""


def read_only_root_available() -> bool:
    """Whether this machine lets an unprivileged user namespace remount / read-only (unshare -rm)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -o remount,bind,ro / && ! touch /.ro-probe"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


@pytest.mark.slow
def test_every_page_opens_on_a_read_only_root_filesystem(tmp_path):
    """The image's layout, emulated: the root filesystem read-only (the app's code, site-packages,
    /root, /etc), only /tmp and /dev/shm writable (the emptyDirs and the model store map into it), the
    image's ENV for every written path. Every page opens and the warm-up loads everything, with no
    "Read-only file system" anywhere: nothing the app does writes outside the writable mounts."""
    if not read_only_root_available():
        pytest.skip("unshare -rm (user and mount namespaces) is not allowed here")
    image_env = dockerfile_env()
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "NEURAL_EXPLAINER_WARMUP": "0",
        "PYTHONDONTWRITEBYTECODE": image_env["PYTHONDONTWRITEBYTECODE"],
        "TMPDIR": str(tmp_path / "tmp"),
        **{var: str(tmp_path / image_env[var].lstrip("/")) for var in WRITTEN_ENV},
    }
    for var in ("TMPDIR", "HOME", "NEURAL_EXPLAINER_CACHE"):
        Path(env[var]).mkdir(parents=True, exist_ok=True)
    inner = (
        "mount --bind /tmp /tmp && mount -o remount,bind,ro / && "
        f"exec {shlex.quote(sys.executable)} -c {shlex.quote(READ_ONLY_CHILD)}"
    )
    assert str(tmp_path).startswith("/tmp/")
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", inner], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "ALL PAGES OPENED" in result.stdout, output[-4000:]
    assert "Read-only file system" not in output and "Errno 30" not in output, output[-4000:]
    # The writes went where the image's ENV sends them (emptyDir /tmp, the model store).
    assert list(Path(env["MPLCONFIGDIR"]).glob("fontlist-*.json")), "Matplotlib's font cache"
    assert (Path(env["KERAS_HOME"]) / "keras.json").is_file()


# ----------------------------------------------------------------------------- Redis' own command


def redis_script(argv: list[str]) -> str:
    """The shell script of a ``[sh, -c, script]`` container command."""
    assert argv[:2] == ["sh", "-c"] and len(argv) == 3, argv
    return argv[2]


def start_redis(script: str, tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    """Run a Redis container's own start script here with Debian's redis-server, on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's redis-server is required in CI (make test installs it)")
        pytest.skip("redis-server is not installed: `make test` installs it with apt-get")
    port = free_port()
    assert script.count("exec redis-server ") == 1
    script = script.replace(
        "exec redis-server ", f"exec {binary} --port {port} --bind 127.0.0.1 --dir {tmp_path} "
    )
    process = subprocess.Popen(
        ["sh", "-c", script],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    return process, port


def redis_reply(port: int, *commands: bytes) -> list[bytes]:
    """The first reply line to each of ``commands`` (inline protocol) on one connection."""
    deadline = time.monotonic() + 10
    while True:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=2)
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not listen within 10 s"
            time.sleep(0.05)
    with connection, connection.makefile("rb") as replies:
        out = []
        for command in commands:
            connection.sendall(command + b"\r\n")
            out.append(replies.readline().rstrip())
        return out


def k8s_redis_script() -> str:
    redis = container(sized_manifests(), "redis")
    return redis_script(redis["command"] + redis["args"])


def compose_redis_script() -> str:
    return redis_script(compose()["services"]["redis"]["command"])


@pytest.mark.parametrize("script", [k8s_redis_script, compose_redis_script], ids=["k8s", "compose"])
def test_redis_started_by_the_manifests_refuses_a_client_without_the_password(tmp_path, script):
    import redis as redis_py

    password = "5e" * 32
    process, port = start_redis(script(), tmp_path, {"REDIS_PASSWORD": password})
    try:
        assert redis_reply(port, b"PING", b"KEYS *")[0].startswith(b"-NOAUTH")
        assert redis_reply(port, b"AUTH " + b"0" * 64)[0].startswith(b"-WRONGPASS")
        assert redis_reply(port, b"AUTH " + password.encode(), b"PING") == [b"+OK", b"+PONG"]
        # The queue URL's form, as the app connects; and the password is not in the process' argv.
        client = redis_py.Redis.from_url(f"redis://:{password}@127.0.0.1:{port}/0")
        assert client.ping() is True
        client.close()
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
        assert b"redis-server" in cmdline and password.encode() not in cmdline
        probe = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"],
            capture_output=True,
            text=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin", "REDISCLI_AUTH": password},
        )
        assert probe.stdout.strip() == "PONG", probe.stdout + probe.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("script", [k8s_redis_script, compose_redis_script], ids=["k8s", "compose"])
def test_redis_started_by_the_manifests_refuses_to_start_without_a_password(tmp_path, script):
    process, _ = start_redis(script(), tmp_path, {"REDIS_PASSWORD": ""})
    output, _ = process.communicate(timeout=10)
    assert process.returncode == 1
    assert b"refusing to start without a password" in output


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
    assert "ports" not in web and haproxy["ports"], (
        "only HAProxy is published (replicas cannot share a host port)"
    )
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


def test_compose_refuses_to_start_without_its_secrets():
    required = {"NEURAL_EXPLAINER_COOKIE_SECRET", "REDIS_PASSWORD"}
    assert set(read_env_file(COMPOSE_ENV_EXAMPLE)) == required
    for missing in sorted(required):
        for env in ({k: v for k, v in compose_env().items() if k != missing}, {**compose_env(), missing: ""}):
            with pytest.raises(MissingVariable, match=missing):
                compose(env)
    with pytest.raises(MissingVariable):
        compose(read_env_file(COMPOSE_ENV_EXAMPLE))  # the example as shipped, values empty


def test_compose_carries_redis_password_in_the_queue_url_and_to_redis():
    from core.training import jobs

    services = compose()["services"]
    password = compose_env()["REDIS_PASSWORD"]
    for name in ("web", "worker"):
        queue = urlparse(services[name]["environment"][jobs.QUEUE_URL_ENV_VAR])
        assert (queue.password, queue.hostname, queue.port) == (password, "redis", REDIS_PORT), name
    redis = services["redis"]
    assert redis["environment"] == {"REDIS_PASSWORD": password, "REDISCLI_AUTH": password}
    assert '--requirepass "$REDIS_PASSWORD"' in redis_script(redis["command"])
    assert "REDIS_PASSWORD" not in json.dumps(
        {k: v for k, v in services.items() if k not in ("web", "worker", "redis")}
    )


def test_compose_services_are_locked_down_and_limited():
    services = compose()["services"]
    env = dockerfile_env()
    for name, service in services.items():
        assert service["read_only"] is True, name
        assert service["cap_drop"] == ["ALL"], name
        assert service["security_opt"] == ["no-new-privileges:true"], name
        limits = service["deploy"]["resources"]["limits"]
        assert float(limits["cpus"]) > 0 and re.fullmatch(r"\d+[mg]", limits["memory"]), name
    assert services["redis"]["user"] != "0" and not services["redis"].get("tmpfs")
    for name in ("web", "worker"):
        tmpfs = {entry.split(":")[0] for entry in services[name]["tmpfs"]}
        volumes = {v.split(":")[1] for v in services[name]["volumes"]}
        assert tmpfs == {"/tmp", "/home/app"} and volumes == {"/models"}, name
        for path in ["/tmp", *(env[var] for var in WRITTEN_ENV)]:
            assert under(path, tmpfs | volumes), f"{name} writes {path} on its read-only root filesystem"


def test_compose_networks_keep_redis_internal_and_give_no_route_out():
    doc = compose()
    networks = {name: set(service["networks"]) for name, service in doc["services"].items()}
    assert networks == {
        "web": {"frontend", "backend"},
        "worker": {"backend"},
        "redis": {"backend"},
        "haproxy": {"edge", "frontend"},
    }
    assert doc["networks"]["frontend"]["internal"] is True and doc["networks"]["backend"]["internal"] is True
    assert not doc["networks"]["edge"].get("internal")


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
    template = re.search(
        r"^\s*server-template\s+\S+\s+\d+-\d+\s+(\w+):(\d+)\s.*\bresolvers\s+(\w+)", cfg, re.M
    )
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


def test_dockerfile_installs_the_lock_of_what_make_run_installs():
    """make run installs requirements.txt; the image the hash-locked pins of the same file
    (tests/deploy/test_lock.py: requirements.lock pins every requirement of requirements.txt)."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^\$\(VENV\)/\.runtime:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "pip install --quiet -r requirements.txt" in recipe.group(1)
    assert "requirements.txt" in (ROOT / "requirements.lock").read_text(encoding="utf-8").split("\n\n")[0]
    copies = [c for c in dockerfile("COPY") if "requirements" in c]
    assert copies == ["requirements.lock requirements-gpu.lock ./"]
    (install,) = [run for run in dockerfile("RUN") if "pip install" in run]
    assert re.search(r"python -m pip install --quiet --require-hashes -r \"\$lock\"", install)
    assert "lock=requirements-gpu.lock" in install and "lock=requirements.lock" in install
    assert ["GPU=0"] == dockerfile("ARG")


def test_dockerfile_bakes_the_weights_in_and_runs_streamlit_as_a_non_root_user():
    (base,) = dockerfile("FROM")
    assert base == "python:3.11-slim"
    assert ". ." in dockerfile("COPY"), "the whole repository (code and assets/models) is copied"
    (user,) = dockerfile("USER")
    assert user.split(":")[0] not in {"root", "0"}
    assert dockerfile("EXPOSE") == [str(APP_PORT)]
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
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
        f"--server.port={port}" if a.startswith("--server.port") else a for a in cmd[3:]
    ]
    check = [
        sys.executable if a == "python" else a.replace(f":{APP_PORT}/", f":{port}/")
        for a in dockerfile_healthcheck_cmd()
    ]
    # The image's writable places (Dockerfile ENV), each mapped into tmp_path.
    image_env = dockerfile_env()
    env = {
        "PATH": "/usr/bin:/bin",
        "NEURAL_EXPLAINER_WARMUP": "0",
        "STREAMLIT_SERVER_COOKIE_SECRET": "test",
        "TMPDIR": str(tmp_path / "tmp"),
        **{var: str(tmp_path / image_env[var].lstrip("/")) for var in WRITTEN_ENV},
    }
    for var in ("TMPDIR", "HOME"):
        Path(env[var]).mkdir(parents=True)
    log = tmp_path / "streamlit.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            if subprocess.run(check, capture_output=True, timeout=10).returncode == 0:
                break
            assert time.monotonic() < deadline, "no healthy server within 60 s:\n" + log.read_text(
                errors="replace"
            )
            time.sleep(0.5)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
