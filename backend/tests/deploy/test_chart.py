"""The Helm chart: strict lint, offline render, Kubernetes 1.31 schemas, and what it promises.

helm-python-sdk binds Helm's own Go SDK (no helm binary, no cluster), so lint
and render are exactly Helm's; kubernetes-validate checks every rendered object
against the 1.31 OpenAPI schemas in strict mode (unknown fields are errors).
"""

import base64
import ipaddress
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest

from tests.deploy.support import CHART, load_yaml_documents

KUBE_VERSION = "1.31.0"
RELEASE, NAMESPACE = "vidvault", "media"
SECRET_KEY = "k" * 48

type Manifest = dict[str, Any]

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "external-db-and-existing-secret": {
        "mongodb": {"enabled": False, "external": {"existingSecret": "db-credentials"}},
        "secret": {"existingSecret": "vidvault-keys"},
    },
    "external-db-url-and-ingress-tls": {
        "mongodb": {"enabled": False, "external": {"url": "mongodb+srv://u:p@db.example.net/"}},
        "secret": {"secretKey": SECRET_KEY},
        "ingress": {
            "className": "nginx",
            "host": "videos.example.com",
            "tls": {"enabled": True, "secretName": "videos-tls"},
        },
        "backend": {"replicaCount": 5, "docsEnabled": True},
    },
    "no-ingress-single-replica": {"ingress": {"enabled": False}, "backend": {"replicaCount": 1}},
    "more-workers": {"worker": {"replicaCount": 6, "concurrency": 2, "leaseSeconds": 60}},
}


def render(values: dict[str, Any] | None = None) -> list[Manifest]:
    with helm.Chart.load(CHART) as chart:
        files = chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    return [
        document
        for name, text in sorted(files.items())
        if name.endswith((".yaml", ".yml"))
        for document in load_yaml_documents(text)
    ]


def one(manifests: list[Manifest], kind: str, component: str | None = None) -> Manifest:
    matches = [
        m
        for m in manifests
        if m["kind"] == kind
        and (
            component is None
            or m["metadata"]["labels"].get("app.kubernetes.io/component") == component
        )
    ]
    assert len(matches) == 1, f"{len(matches)} {kind} objects for {component}"
    return matches[0]


def kinds(manifests: list[Manifest]) -> set[str]:
    return {m["kind"] for m in manifests}


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def container(workload: Manifest) -> dict[str, Any]:
    [first] = pod_spec(workload)["containers"]
    return dict(first)


def env_of(workload: Manifest) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container(workload)["env"]}


@pytest.fixture(scope="module")
def manifests() -> list[Manifest]:
    return render()


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_chart_lints_strictly(variant: str) -> None:
    report = helm.lint(CHART, VARIANTS[variant], strict=True, kube_version=f"v{KUBE_VERSION}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_lint_does_report_invalid_values() -> None:
    report = helm.lint(CHART, {"secret": {"secretKey": "too-short"}}, strict=True)
    assert report["errors"], "the values schema must refuse a short secret key"


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_every_rendered_object_matches_the_kubernetes_schema(variant: str) -> None:
    rendered = render(VARIANTS[variant])
    assert rendered
    for manifest in rendered:
        kubernetes_validate.validate(manifest, KUBE_VERSION, strict=True)


def test_schema_validation_does_reject_an_unknown_field(manifests: list[Manifest]) -> None:
    deployment = one(manifests, "Deployment", "backend")
    broken = {**deployment, "spec": {**deployment["spec"], "replica": 3}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBE_VERSION, strict=True)


@pytest.mark.parametrize(
    "values",
    [
        {"backend": {"replicaCount": 0}},
        {"secret": {"secretKey": "short"}},
        {"mongodb": {"enabled": False}},
        {"mongodb": {"external": {"url": "mongodb://elsewhere/"}}},
        {"frontend": {"apiUrl": 'https://x"; alert(1)'}},
        {"ingress": {"tls": {"enabled": True}}},
        # Trusting every peer would let any client choose its address.
        {"backend": {"forwardedAllowIps": "*"}},
        {"backend": {"forwardedAllowIps": "10.0.0.0/8, *"}},
        # Metrics on the API's port would be routed by the Ingress.
        {"backend": {"metrics": {"port": 8000}}},
    ],
)
def test_values_that_cannot_work_stop_the_render(values: dict[str, Any]) -> None:
    with pytest.raises(helm.HelmError):
        render(values)


def test_backend_runs_three_replicas_with_probes_on_health_routes(
    manifests: list[Manifest],
) -> None:
    backend = one(manifests, "Deployment", "backend")
    assert backend["spec"]["replicas"] == 3
    main = container(backend)
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {p["name"]: p["containerPort"] for p in main["ports"]} == {
        "http": 8000,
        "metrics": 9464,
    }
    assert main["resources"]["requests"] and main["resources"]["limits"]["memory"]
    assert env_of(backend)["ENVIRONMENT"]["value"] == "production"


def test_every_pod_runs_as_non_root_without_privilege_escalation(
    manifests: list[Manifest],
) -> None:
    workloads = [m for m in manifests if m["kind"] in {"Deployment", "StatefulSet"}]
    assert len(workloads) == 4
    for workload in workloads:
        pod = pod_spec(workload)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] > 0
        assert pod["automountServiceAccountToken"] is False
        for each in pod["containers"]:
            assert each["securityContext"]["allowPrivilegeEscalation"] is False
            assert each["securityContext"]["capabilities"]["drop"] == ["ALL"]


def test_secret_key_comes_from_the_charts_secret(manifests: list[Manifest]) -> None:
    secret = one(manifests, "Secret")
    reference = env_of(one(manifests, "Deployment", "backend"))["SECRET_KEY"]
    key_ref = reference["valueFrom"]["secretKeyRef"]
    assert key_ref["name"] == secret["metadata"]["name"]
    generated = base64.b64decode(secret["data"][key_ref["key"]]).decode()
    assert len(generated) >= 32


def test_a_given_secret_key_is_used_verbatim() -> None:
    secret = one(render({"secret": {"secretKey": SECRET_KEY}}), "Secret")
    assert base64.b64decode(secret["data"]["SECRET_KEY"]).decode() == SECRET_KEY


def test_existing_secret_and_external_database() -> None:
    rendered = render(VARIANTS["external-db-and-existing-secret"])
    assert "Secret" not in kinds(rendered), "nothing to store: both come from existing Secrets"
    assert "StatefulSet" not in kinds(rendered)
    env = env_of(one(rendered, "Deployment", "backend"))
    assert env["SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "vidvault-keys",
        "key": "SECRET_KEY",
    }
    assert env["MONGODB_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "db-credentials",
        "key": "MONGODB_URL",
    }


def test_an_external_url_is_kept_in_the_secret_not_in_the_pod_spec() -> None:
    rendered = render(VARIANTS["external-db-url-and-ingress-tls"])
    secret = one(rendered, "Secret")
    backend = one(rendered, "Deployment", "backend")
    assert base64.b64decode(secret["data"]["MONGODB_URL"]).decode().startswith("mongodb+srv://")
    ref = env_of(backend)["MONGODB_URL"]["valueFrom"]["secretKeyRef"]
    assert ref["name"] == secret["metadata"]["name"]
    assert "u:p@" not in str(backend)


def test_ingress_routes_api_to_backend_and_the_rest_to_frontend(
    manifests: list[Manifest],
) -> None:
    ingress = one(manifests, "Ingress")
    assert "ingressClassName" not in ingress["spec"], "class defaults to the cluster's default"
    services = {
        m["metadata"]["labels"]["app.kubernetes.io/component"]: m
        for m in manifests
        if m["kind"] == "Service" and m["spec"].get("clusterIP") != "None"
    }
    [rule] = ingress["spec"]["rules"]
    routes = {p["path"]: p for p in rule["http"]["paths"]}
    assert set(routes) == {"/api", "/"}
    for path, component in (("/api", "backend"), ("/", "frontend")):
        assert routes[path]["pathType"] == "Prefix"
        target = routes[path]["backend"]["service"]
        service = services[component]
        assert target["name"] == service["metadata"]["name"]
        assert target["port"]["name"] in {p["name"] for p in service["spec"]["ports"]}


def test_ingress_class_host_and_tls_are_configurable() -> None:
    ingress = one(render(VARIANTS["external-db-url-and-ingress-tls"]), "Ingress")
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["rules"][0]["host"] == "videos.example.com"
    assert ingress["spec"]["tls"] == [{"hosts": ["videos.example.com"], "secretName": "videos-tls"}]
    assert "Ingress" not in kinds(render(VARIANTS["no-ingress-single-replica"]))


def test_services_select_exactly_their_own_pods(manifests: list[Manifest]) -> None:
    workloads = {
        m["metadata"]["labels"]["app.kubernetes.io/component"]: m
        for m in manifests
        if m["kind"] in {"Deployment", "StatefulSet"}
    }
    for service in (m for m in manifests if m["kind"] == "Service"):
        selector = service["spec"]["selector"].items()
        selected = [
            name
            for name, workload in workloads.items()
            if selector <= workload["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert selected == [service["metadata"]["labels"]["app.kubernetes.io/component"]]
    for workload in workloads.values():
        labels = workload["spec"]["template"]["metadata"]["labels"].items()
        assert workload["spec"]["selector"]["matchLabels"].items() <= labels


def test_in_chart_mongodb_is_a_persistent_single_member_replica_set(
    manifests: list[Manifest],
) -> None:
    mongodb = one(manifests, "StatefulSet", "mongodb")
    assert mongodb["spec"]["replicas"] == 1
    [claim] = mongodb["spec"]["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == "10Gi"
    main = container(mongodb)
    assert main["image"].startswith("mongo:8")
    assert main["args"][:2] == ["--replSet", "rs0"]
    assert {"name": "data", "mountPath": "/data/db"} in main["volumeMounts"]
    startup = " ".join(main["startupProbe"]["exec"]["command"])
    member = f"vidvault-mongodb-0.vidvault-mongodb-headless.{NAMESPACE}.svc:27017"
    assert f"rs.initiate({{_id: 'rs0', members: [{{_id: 0, host: '{member}'}}]}})" in startup
    headless = [
        m for m in manifests if m["kind"] == "Service" and m["spec"].get("clusterIP") == "None"
    ]
    assert headless[0]["metadata"]["name"] == mongodb["spec"]["serviceName"]
    assert headless[0]["spec"]["publishNotReadyAddresses"] is True
    url = env_of(one(manifests, "Deployment", "backend"))["MONGODB_URL"]["value"]
    assert url == f"mongodb://{member}/?replicaSet=rs0"


def test_only_backend_and_worker_pods_may_reach_the_in_chart_database(
    manifests: list[Manifest],
) -> None:
    policy = one(manifests, "NetworkPolicy")
    [rule] = policy["spec"]["ingress"]
    allowed = {
        peer["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for peer in rule["from"]
    }
    assert allowed == {"backend", "worker", "mongodb"}


def test_workers_run_the_backend_image_with_their_own_replicas_resources_and_probes(
    manifests: list[Manifest],
) -> None:
    worker, backend = (
        one(manifests, "Deployment", "worker"),
        one(manifests, "Deployment", "backend"),
    )
    assert worker["spec"]["replicas"] == 2
    main = container(worker)
    assert main["image"] == container(backend)["image"]
    assert main["command"] == ["vidvault-worker"]
    assert {p["name"]: p["containerPort"] for p in main["ports"]} == {"health": 8081}
    for probe in ("startupProbe", "livenessProbe"):
        assert main[probe]["httpGet"] == {"path": "/healthz", "port": "health"}
    assert main["resources"]["requests"]["cpu"] and main["resources"]["limits"]["memory"]
    env = env_of(worker)
    assert env["WORKER_HEALTH_PORT"]["value"] == "8081"
    assert env["WORKER_CONCURRENCY"]["value"] == "1"
    # The same key and database as the API.
    for name in ("SECRET_KEY", "MONGODB_URL", "MONGODB_DB"):
        assert env[name] == env_of(backend)[name]
    assert {"name": "tmp", "mountPath": "/tmp"} in main["volumeMounts"]
    scaled = one(render(VARIANTS["more-workers"]), "Deployment", "worker")
    assert scaled["spec"]["replicas"] == 6
    assert env_of(scaled)["WORKER_CONCURRENCY"]["value"] == "2"
    assert env_of(scaled)["JOB_LEASE_SECONDS"]["value"] == "60"


def test_backend_pods_are_annotated_for_prometheus(manifests: list[Manifest]) -> None:
    annotations = one(manifests, "Deployment", "backend")["spec"]["template"]["metadata"][
        "annotations"
    ]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/path"] == "/metrics"
    assert annotations["prometheus.io/port"] == "9464"


def test_metrics_are_served_on_their_own_port_that_no_service_carries(
    manifests: list[Manifest],
) -> None:
    backend = one(manifests, "Deployment", "backend")
    env = env_of(backend)
    assert env["METRICS_PORT"]["value"] == "9464"
    assert env["METRICS_HOST"]["value"] == "0.0.0.0"
    # The Ingress reaches pods only through Services, and none carries the metrics port.
    service_ports = [
        port for m in manifests if m["kind"] == "Service" for port in m["spec"]["ports"]
    ]
    assert all(p.get("targetPort") != "metrics" for p in service_ports)
    assert all(p["port"] != 9464 for p in service_ports)


def test_only_the_ingress_controllers_networks_are_trusted_for_forwarded_for(
    manifests: list[Manifest],
) -> None:
    trusted = env_of(one(manifests, "Deployment", "backend"))["FORWARDED_ALLOW_IPS"]["value"]
    networks = [ipaddress.ip_network(item) for item in trusted.split(",")]
    assert all(network.is_private for network in networks)
    assert "*" not in trusted


def test_frontend_gets_the_api_url_and_reads_config_from_tmp(manifests: list[Manifest]) -> None:
    frontend = one(manifests, "Deployment", "frontend")
    assert env_of(frontend)["API_URL"]["value"] == ""
    assert container(frontend)["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert {"name": "tmp", "mountPath": "/tmp"} in container(frontend)["volumeMounts"]


def test_disruption_budget_only_with_several_backend_replicas(manifests: list[Manifest]) -> None:
    assert one(manifests, "PodDisruptionBudget")["spec"]["minAvailable"] == 1
    assert "PodDisruptionBudget" not in kinds(render(VARIANTS["no-ingress-single-replica"]))
