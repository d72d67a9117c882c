"""What the Kubernetes manifests promise (deploy/kubernetes), read from the files: probes on the
health routes, non-root pods with read-only root filesystems, one beat, the queue split. Their
schema validity is checked by .ci/run with kubernetes-validate."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings

MANIFESTS = Path(settings.BASE_DIR) / "deploy" / "kubernetes"


def resources() -> list[dict]:
    found = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            found.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return found


def one(kind: str, name: str) -> dict:
    matches = [r for r in resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    assert len(matches) == 1, (kind, name)
    return matches[0]


def pod_specs():
    for resource in resources():
        if resource["kind"] in {"Deployment", "Job"}:
            yield resource["metadata"]["name"], resource["spec"]["template"]["spec"]


def test_every_resource_is_listed_in_the_kustomization():
    listed = set(yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"])
    files = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == files


def test_web_is_probed_on_the_health_routes_and_has_requests_and_limits():
    container = one("Deployment", "web")["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
    assert container["command"] == ["deploy/serve.sh"]
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])


@pytest.mark.parametrize("name_and_spec", list(pod_specs()), ids=lambda item: item[0])
def test_every_pod_runs_as_non_root_with_a_read_only_root_filesystem(name_and_spec):
    _name, spec = name_and_spec
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["automountServiceAccountToken"] is False
    for container in spec["containers"]:
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["limits"]
        mounted = {mount["name"] for mount in container.get("volumeMounts", [])}
        writable = {v["name"] for v in spec.get("volumes", []) if "emptyDir" in v}
        assert "/tmp" in {m["mountPath"] for m in container.get("volumeMounts", [])}
        assert writable & mounted


def test_beat_runs_exactly_once_even_during_a_rollout():
    beat = one("Deployment", "beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert not [
        r
        for r in resources()
        if r["kind"] == "HorizontalPodAutoscaler" and r["spec"]["scaleTargetRef"]["name"] == "beat"
    ]


def test_web_scales_and_keeps_a_pod_through_disruptions():
    autoscaler = one("HorizontalPodAutoscaler", "web")
    assert autoscaler["spec"]["minReplicas"] >= 2
    budget = one("PodDisruptionBudget", "web")
    assert budget["spec"]["minAvailable"] >= 1


def test_the_migration_job_migrates_every_database():
    job = one("Job", "migrate")
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[-2:] == ["migrate_all", "--noinput"]


def test_pods_reach_postgres_through_pgbouncer_in_transaction_mode():
    config = one("ConfigMap", "nexus-config")["data"]
    assert config["DATABASE_POOLER"] == "pgbouncer"
    assert config["NUM_PROXIES"] == "1"
    ini = one("Secret", "pgbouncer-config")["stringData"]["pgbouncer.ini"]
    assert "pool_mode = transaction" in ini
    assert ":6432/" in one("Secret", "nexus-secrets")["stringData"]["DATABASE_URL"]
