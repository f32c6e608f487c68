"""The Kubernetes manifests and Dockerfiles keep the deployment contract.

Every service ships a Deployment, Service and ServiceAccount; every container runs locked
down (non-root, read-only root filesystem, no capabilities) with probes and resource limits;
every kustomization points at files that exist; every image drops root. The pod checks run
on what every overlay and component renders (tests/contract/k8s_render.py), so a patch cannot
undo them; no cluster is needed.
"""

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from rapport.topics import CATALOGUE
from tests.contract.k8s_render import OVERLAYS, TARGETS, rendered

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
BASE = K8S / "base"
SERVICES = ("ingest", "profiles", "responder", "loyalty")
DEPLOYMENTS = (*SERVICES, "ingest-analyser")
"""The services, and ingest's analysis stage: the ingest image with RAPPORT_ROLE=analyser."""
POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
PORT = 8080

YAML_FILES = sorted([*K8S.rglob("*.yaml"), *K8S.rglob("*.yml")])


def load(path: Path) -> list[Any]:
    docs = yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader)  # libyaml: several times faster
    return [doc for doc in docs if doc is not None]


def manifests(path: Path) -> list[dict[str, Any]]:
    """The Kubernetes objects in ``path`` (skips kustomizations and JSON patches)."""
    return [
        doc
        for doc in load(path)
        if isinstance(doc, dict) and "kind" in doc and "kustomize" not in doc.get("apiVersion", "")
    ]


def kustomizations() -> list[Path]:
    return sorted(p for p in YAML_FILES if p.name in KUSTOMIZATION_NAMES)


def pod_templates() -> list[tuple[str, dict[str, Any]]]:
    """(label, pod template) of every distinct workload that any overlay or component renders."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for target in TARGETS:
        for doc in rendered(target):
            if doc["kind"] in POD_TEMPLATE_KINDS:
                key = json.dumps(doc["spec"]["template"], sort_keys=True)
                label = f"{target}:{doc['kind']}/{doc['metadata']['name']}"
                found.setdefault(key, (label, doc["spec"]["template"]))
    return list(found.values())


def containers() -> list[Any]:
    """pytest params (pod spec, container) of every container and init container."""
    found = []
    for label, template in pod_templates():
        spec = template["spec"]
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            found.append(pytest.param(spec, container, id=f"{label}:{container['name']}"))
    return found


def base_objects(service: str) -> dict[str, dict[str, Any]]:
    path = BASE / f"{service}.yaml"
    assert path.is_file(), f"missing {path.relative_to(ROOT)}"
    return {doc["kind"]: doc for doc in manifests(path)}


def security_setting(pod_spec: dict[str, Any], container: dict[str, Any], key: str) -> Any:
    """A setting as Kubernetes resolves it: the container's wins over the pod's."""
    from_container = (container.get("securityContext") or {}).get(key)
    if from_container is not None:
        return from_container
    return (pod_spec.get("securityContext") or {}).get(key)


def kustomization_references(kustomization: dict[str, Any]) -> list[str]:
    refs = [*kustomization.get("resources", []), *kustomization.get("components", [])]
    for patch in kustomization.get("patches", []):
        refs.append(patch if isinstance(patch, str) else patch.get("path"))
    refs.extend(kustomization.get("patchesStrategicMerge", []))
    return [ref for ref in refs if ref and "://" not in ref and not ref.startswith("github.com/")]


def test_there_are_manifests_and_they_all_parse() -> None:
    assert kustomizations(), "no kustomization under deploy/k8s"
    for path in YAML_FILES:
        for doc in load(path):
            assert isinstance(doc, dict | list), f"{path.relative_to(ROOT)} holds a bare scalar"


@pytest.mark.parametrize("service", SERVICES)
def test_service_has_deployment_service_and_service_account(service: str) -> None:
    objects = base_objects(service)
    assert {"Deployment", "Service", "ServiceAccount"} <= objects.keys(), sorted(objects)
    deployment, svc, account = objects["Deployment"], objects["Service"], objects["ServiceAccount"]
    for obj in (deployment, svc, account):
        assert obj["metadata"]["name"] == service

    assert account.get("automountServiceAccountToken") is False
    pod = deployment["spec"]["template"]
    assert pod["spec"].get("serviceAccountName") == service
    assert pod["spec"].get("automountServiceAccountToken") is False

    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= pod["metadata"]["labels"].items()
    assert svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items()

    [container] = pod["spec"]["containers"]  # the telemetry patch edits containers/0
    container_ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
    [port] = svc["spec"]["ports"]
    target = port["targetPort"]
    assert port["port"] == 80
    assert container_ports.get(target, target) == PORT
    assert PORT in container_ports.values()


@pytest.mark.parametrize("service", SERVICES)
def test_service_manifest_is_in_the_base_kustomization(service: str) -> None:
    kustomization = load(BASE / "kustomization.yaml")[0]
    assert f"{service}.yaml" in kustomization.get("resources", [])


@pytest.mark.parametrize("service", SERVICES)
def test_service_settings_come_from_the_config_map_and_its_own_secret(service: str) -> None:
    [container] = base_objects(service)["Deployment"]["spec"]["template"]["spec"]["containers"]
    env = {var["name"]: var for var in container.get("env", [])}
    loaded = [next(iter(source.values()))["name"] for source in container["envFrom"]]
    assert "rapport-config" in loaded
    assert f"{service}-secrets" in loaded
    assert env["RAPPORT_SERVICE_NAME"].get("value") == service
    mongo = env["RAPPORT_MONGO_URL"]["valueFrom"]["secretKeyRef"]
    assert mongo == {"name": f"{service}-secrets", "key": "RAPPORT_MONGO_URL"}
    shared = (BASE / "config" / "rapport.env").read_text()
    assert "\nRAPPORT_ENVIRONMENT=production\n" in shared


@pytest.mark.parametrize("service", [*SERVICES, "ingest-analyser"])
def test_services_get_the_token_issuers_public_keys_only(service: str) -> None:
    pod = base_objects(service)["Deployment"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    env = {var["name"]: var for var in container.get("env", [])}
    mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    jwks = env["RAPPORT_AUTH_JWKS"]["value"]
    [mount] = [m for m in mounts.values() if jwks.startswith(m["mountPath"] + "/")]
    assert mount.get("readOnly") is True
    assert volumes[mount["name"]]["secret"]["secretName"] == "rapport-auth-jwks"
    assert not [name for name in env if "PRIVATE" in name or name == "RAPPORT_AUTH_SECRET"]


def test_no_manifest_carries_a_signing_key() -> None:
    for path in BASE.rglob("*.yaml"):
        text = path.read_text()
        assert "PRIVATE KEY" not in text, path
        assert "auth-secret" not in text, path


def test_every_workload_was_found() -> None:
    labels = [label for label, _ in pod_templates()]
    for name in (*DEPLOYMENTS, "rapport-migrate", "rapport-topics"):
        assert any(label.endswith(f"/{name}") for label in labels), name


def test_the_migrate_job_migrates_each_service_from_its_own_image() -> None:
    objects = {doc["kind"]: doc for doc in manifests(BASE / "migrate-job.yaml")}
    assert "migrate-job.yaml" in load(BASE / "kustomization.yaml")[0]["resources"]
    pod = objects["Job"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] in ("OnFailure", "Never")
    assert pod["serviceAccountName"] == objects["ServiceAccount"]["metadata"]["name"]
    assert objects["ServiceAccount"].get("automountServiceAccountToken") is False

    migrated = {}
    for container in pod["containers"]:
        command = [*container.get("command", []), *container.get("args", [])]
        assert command[:2] == ["rapport", "migrate"], command
        service = command[command.index("--service") + 1]
        assert container["image"] == f"rapport/{service}"
        migrated[service] = {var["name"]: var for var in container["env"]}
    assert sorted(migrated) == sorted(SERVICES)

    for service, env in migrated.items():
        [deployed] = base_objects(service)["Deployment"]["spec"]["template"]["spec"]["containers"]
        service_env = {var["name"]: var for var in deployed["env"]}
        for name in ("RAPPORT_MONGO_URL", "RAPPORT_MONGO_DB"):
            assert env.get(name) == service_env.get(name), f"{service}: another database"
        assert not [name for name in env if name.startswith("RAPPORT_AUTH")], "no keys to migrate"


@pytest.mark.parametrize(("pod_spec", "container"), containers())
def test_container_is_locked_down(pod_spec: dict[str, Any], container: dict[str, Any]) -> None:
    assert security_setting(pod_spec, container, "runAsNonRoot") is True
    assert security_setting(pod_spec, container, "runAsUser") not in (None, 0)
    assert security_setting(pod_spec, container, "allowPrivilegeEscalation") is False
    assert security_setting(pod_spec, container, "privileged") in (None, False)
    seccomp = security_setting(pod_spec, container, "seccompProfile") or {}
    assert seccomp.get("type") == "RuntimeDefault"

    context = container.get("securityContext") or {}
    assert context.get("readOnlyRootFilesystem") is True
    assert "ALL" in ((context.get("capabilities") or {}).get("drop") or [])
    assert not (context.get("capabilities") or {}).get("add")

    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    assert "/tmp" in mounts, "a read-only root needs a writable /tmp"
    assert "emptyDir" in volumes[mounts["/tmp"]]


@pytest.mark.parametrize(("pod_spec", "container"), containers())
def test_container_has_resource_requests_and_limits(
    pod_spec: dict[str, Any], container: dict[str, Any]
) -> None:
    resources = container.get("resources") or {}
    for kind in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            assert (resources.get(kind) or {}).get(resource), f"no {kind}.{resource}"


@pytest.mark.parametrize("service", SERVICES)
def test_service_container_has_probes(service: str) -> None:
    [container] = base_objects(service)["Deployment"]["spec"]["template"]["spec"]["containers"]
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        http = (container.get(probe) or {}).get("httpGet") or {}
        assert http.get("path") == path, f"{probe} must GET {path}"


def test_deployments_everywhere_have_probes() -> None:
    for label, template in pod_templates():
        if ":Deployment/" not in label:
            continue
        for container in template["spec"]["containers"]:
            assert container.get("livenessProbe"), f"{label}: no liveness probe"
            assert container.get("readinessProbe"), f"{label}: no readiness probe"


@pytest.mark.parametrize("path", kustomizations(), ids=lambda p: str(p.relative_to(K8S)))
def test_kustomization_references_exist(path: Path) -> None:
    kustomization = load(path)[0]
    assert kustomization.get("kind") in ("Kustomization", "Component")
    for ref in kustomization_references(kustomization):
        target = (path.parent / ref).resolve()
        assert target.exists(), f"{path.relative_to(ROOT)} names missing {ref}"
        if target.is_dir():
            assert any((target / name).is_file() for name in KUSTOMIZATION_NAMES), (
                f"{ref} is a directory without a kustomization"
            )


def test_no_secret_is_deployed_from_the_repository() -> None:
    for path in kustomizations():
        for ref in kustomization_references(load(path)[0]):
            target = (path.parent / ref).resolve()
            assert "example" not in target.name, f"{path.relative_to(ROOT)} deploys {ref}"
            if target.is_file():
                kinds = {doc["kind"] for doc in manifests(target)}
                assert "Secret" not in kinds, f"{ref} holds a Secret; create it out of band"
    assert (BASE / "secret.example.yaml").is_file()


def test_overlays_build_on_base_and_production_enables_telemetry() -> None:
    overlays = K8S / "overlays"
    for name in ("production", "dev"):
        kustomization = load(overlays / name / "kustomization.yaml")[0]
        assert "../../base" in kustomization.get("resources", [])
    production = load(overlays / "production" / "kustomization.yaml")[0]
    assert "../../components/telemetry" in production.get("components", [])
    assert {image["name"] for image in production.get("images", [])} >= {
        f"rapport/{s}" for s in SERVICES
    }
    dev = {
        d["metadata"]["name"]: d["spec"]
        for d in rendered("overlays/dev")
        if d["kind"] == "Deployment"
    }
    for name in DEPLOYMENTS:
        autoscaled = dev[name].get("replicas") is None
        assert autoscaled or dev[name]["replicas"] == 1, name
    autoscalers = [d for d in rendered("overlays/dev") if d["kind"] == "HorizontalPodAutoscaler"]
    assert autoscalers
    assert {a["spec"]["minReplicas"] for a in autoscalers} == {1}


def test_telemetry_component_patches_every_service_deployment() -> None:
    component_dir = K8S / "components" / "telemetry"
    component = load(component_dir / "kustomization.yaml")[0]
    assert component["kind"] == "Component"
    env: dict[str, str] = {}
    patched: set[str] = set()
    for patch in component.get("patches", []):
        target = patch.get("target") or {}
        if target.get("kind") != "Deployment":
            continue
        name_pattern = target.get("name", ".*")
        patched |= {s for s in DEPLOYMENTS if re.fullmatch(name_pattern, s)}
        for op in load(component_dir / patch["path"])[0]:
            if op["path"].endswith("/env/-"):
                env[op["value"]["name"]] = op["value"]["value"]
    assert patched == set(DEPLOYMENTS)
    assert env.get("RAPPORT_TRACE_EXPORTER") == "otlp"
    assert env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").startswith("http")


CONSUMERS = sorted({group for topic in CATALOGUE.values() for group in topic.consumers})


@pytest.mark.parametrize("service", CONSUMERS)
def test_consumer_replicas_do_not_exceed_partitions(service: str) -> None:
    consumed = [t.partitions for t in CATALOGUE.values() if service in t.consumers]
    replicas = [base_objects(service)["Deployment"]["spec"].get("replicas", 1)]
    for path in kustomizations():
        for entry in load(path)[0].get("replicas", []):
            if entry["name"] == service:
                replicas.append(entry["count"])
    assert max(replicas) <= min(consumed), "replicas beyond the partition count sit idle"


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with comments dropped and continuations joined."""
    text = re.sub(
        r"\\\n",
        " ",
        "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
        ),
    )
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for parts in (line.strip().split(None, 1) for line in text.splitlines())
        if parts
    ]


def test_the_image_runs_the_named_service_as_non_root() -> None:
    instructions = dockerfile_instructions(ROOT / "deploy" / "docker" / "Dockerfile")
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    final_stage = instructions[last_from:]
    users = [args.strip() for op, args in final_stage if op == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), "the image runs as root"
    assert user == "10001", "the manifests' runAsUser is 10001"

    assert ("EXPOSE", str(PORT)) in final_stage
    assert ("ARG", "SERVICE") in final_stage
    assert any(op == "ENV" and "${SERVICE}.main:create_app" in args for op, args in final_stage)
    [cmd] = [args for op, args in final_stage if op == "CMD"]
    assert "exec uvicorn --factory" in cmd
    assert "$RAPPORT_APP" in cmd


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = {
        line.strip().rstrip("/") for line in (ROOT / ".dockerignore").read_text().splitlines()
    }
    assert {".git", ".venv", ".state"} <= ignored


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_each_deployment_once(overlay: str) -> None:
    resources = rendered(f"overlays/{overlay}")
    deployments = {d["metadata"]["name"]: d for d in resources if d["kind"] == "Deployment"}
    assert set(deployments) == set(DEPLOYMENTS)
    for deployment in deployments.values():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        names = [var["name"] for var in container["env"]]
        assert len(names) == len(set(names)), f"duplicate env in {deployment['metadata']['name']}"
        assert ("RAPPORT_TRACE_EXPORTER" in names) == (overlay != "dev")


def test_a_config_change_rolls_the_pods() -> None:
    """Generated ConfigMaps carry a hash of their data in their name, and so do their users."""
    resources = rendered("overlays/production")
    maps = [d["metadata"]["name"] for d in resources if d["kind"] == "ConfigMap"]
    assert maps
    assert all(re.fullmatch(r"[a-z-]+-[a-z0-9]{10}", name) for name in maps), maps
    for deployment in (d for d in resources if d["kind"] == "Deployment"):
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        loaded = {s["configMapRef"]["name"] for s in container["envFrom"] if "configMapRef" in s}
        assert loaded
        assert loaded <= set(maps)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_stops_gracefully(overlay: str) -> None:
    resources = rendered(f"overlays/{overlay}")
    budgets = [
        d["spec"]["selector"]["matchLabels"]
        for d in resources
        if d["kind"] == "PodDisruptionBudget"
    ]
    for deployment in (d for d in resources if d["kind"] == "Deployment"):
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert any(b.items() <= labels.items() for b in budgets), deployment["metadata"]["name"]
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"


@pytest.mark.parametrize("target", TARGETS)
def test_nothing_rendered_carries_a_secret(target: str) -> None:
    assert not [d["metadata"]["name"] for d in rendered(target) if d["kind"] == "Secret"]
