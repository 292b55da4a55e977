"""The kubernetes and kserve targets: manifests for every hardware target a cluster's nodes
can be, checked offline against the Kubernetes schemas (and KServe's predictor schema),
linted by checkov, sized from a profile recommendation or from stated defaults, and safe
from hostile strings. The live path (a cluster) is at the end, behind a skip."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from stratum_jupyter.bundle.sizing import Goal, Recommendation, Rightsizing, write_rightsizing
from stratum_jupyter.deploy import kube_checks, manifests
from stratum_jupyter.deploy.api import deploy
from stratum_jupyter.deploy.kube_apply import apply_requests
from stratum_jupyter.deploy.orchestrated import ClusterOptions
from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.errors import DeployError

from .conftest import HOSTILE, REPO

NODES = ["cloud-x86", "gpu-cuda", "edge-arm64", "jetson"]  # every containerised hardware target
GPU_NODES = {"gpu-cuda", "jetson"}
ARCH = {"cloud-x86": "amd64", "gpu-cuda": "amd64", "edge-arm64": "arm64", "jetson": "arm64"}
DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$")


def docs_of(out: Path) -> dict[str, dict]:
    folder = out / "kubernetes"
    kustom = yaml.safe_load((folder / "kustomization.yaml").read_text())
    return {name: yaml.safe_load((folder / name).read_text()) for name in kustom["resources"]}


def pod_of(doc: dict) -> dict:
    return doc["spec"]["predictor"] if doc["kind"] == "InferenceService" \
        else doc["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def cluster_root(tmp_path_factory):
    return tmp_path_factory.mktemp("cluster-bundles")


@pytest.fixture(scope="module")
def cluster_bundles(iris_bundle, cluster_root):
    """Both orchestrators on every kind of node, without a recommendation (defaults)."""
    out = {}
    for target in ("kubernetes", "kserve"):
        for nodes in NODES:
            folder = cluster_root / f"{target}-{nodes}"
            render(plan(iris_bundle, target, nodes=nodes), folder)
            out[target, nodes] = folder
    return out


def test_manifests_pass_the_offline_schemas_and_constraints(cluster_bundles):
    for (target, nodes), out in cluster_bundles.items():
        docs = docs_of(out)
        kinds = sorted(d["kind"] for d in docs.values())
        assert kinds == (["InferenceService"] if target == "kserve" else
                         ["Deployment", "HorizontalPodAutoscaler", "NetworkPolicy",
                          "PodDisruptionBudget", "Service"])
        # read back from disk, validated again: what a user applies is what was checked
        assert kube_checks.problems(docs, arch=ARCH[nodes], gpu=nodes in GPU_NODES) == []
        for doc in docs.values():  # and by the newest schemas kubernetes-validate ships
            if doc["kind"] != "InferenceService":
                kubernetes_validate.validate(doc, kubernetes_validate.latest_version(),
                                             strict=True)
        for doc in docs.values():
            if doc["kind"] not in {"InferenceService", "Deployment"}:
                continue
            pod = pod_of(doc)
            assert pod["nodeSelector"]["kubernetes.io/arch"] == ARCH[nodes]
            box = pod["containers"][0]
            assert ("nvidia.com/gpu" in box["resources"]["limits"]) == (nodes in GPU_NODES)
            assert box["readinessProbe"]["httpGet"]["path"] == "/health"
            assert box["livenessProbe"]["httpGet"]["path"] == "/health"
            assert box["securityContext"]["readOnlyRootFilesystem"] is True
            assert pod["securityContext"]["runAsNonRoot"] is True
            assert {"name": "tmp", "mountPath": "/tmp"} in box["volumeMounts"]
        bundle = json.loads((out / "bundle.json").read_text())
        assert bundle["kubernetes"]["nodes"] == nodes
        assert bundle["platform"] == f"linux/{ARCH[nodes]}"
        assert not (out / "ansible").exists()


def checkov() -> str:
    found = os.environ.get("STRATUM_CHECKOV") or shutil.which("checkov")
    local = REPO / ".venv-checkov" / "bin" / "checkov"
    if found or local.exists():
        return found or str(local)
    if os.environ.get("CI"):
        pytest.fail("checkov is missing: scripts/system-deps.d/60-checkov.sh installs it")
    pytest.skip("checkov is not installed here: run bash scripts/system-deps.d/60-checkov.sh")


def predictor_pod(isvc: dict) -> dict:
    """The pod KServe runs for an InferenceService's predictor (its PodSpec part)."""
    spec = {k: v for k, v in isvc["spec"]["predictor"].items()
            if k not in kube_checks.EXTENSION_FIELDS}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": isvc["metadata"], "spec": spec}


@pytest.mark.slow
def test_checkov_finds_nothing(cluster_bundles, cluster_root):
    """checkov's Kubernetes policies over every bundle in one run (it is slow to start);
    the checks skipped are justified in the manifests (manifests.CHECKOV_SKIPS,
    KSERVE_CHECKOV_SKIPS). checkov has no policies of InferenceService, so the predictor's
    pod is linted as a Pod."""
    pods = cluster_root / "kserve-predictor-pods"
    pods.mkdir(exist_ok=True)
    for (target, nodes), out in cluster_bundles.items():
        if target == "kserve":
            pod = predictor_pod(docs_of(out)["inferenceservice.yaml"])
            (pods / f"{nodes}.yaml").write_text(yaml.safe_dump(pod))
    proc = subprocess.run([checkov(), "--directory", str(cluster_root), "--framework",
                           "kubernetes", "--skip-download", "--output", "json"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    report = json.loads(proc.stdout)
    report = report[0] if isinstance(report, list) else report
    failed = [(c["check_id"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == [], failed
    assert report["summary"]["parsing_errors"] == 0
    linted = {Path(c["file_path"]).name for c in report["results"]["passed_checks"]}
    assert {"deployment.yaml", *(f"{n}.yaml" for n in NODES)} <= linted, linted


def test_schema_and_constraint_checks_catch_mistakes(cluster_bundles):
    deployment = docs_of(cluster_bundles["kubernetes", "cloud-x86"])["deployment.yaml"]
    isvc = docs_of(cluster_bundles["kserve", "gpu-cuda"])["inferenceservice.yaml"]
    pod = deployment["spec"]["template"]["spec"]
    pod["containers"][0]["imagePullPolicy"] = 3
    pod["containers"][0]["resources"]["limits"]["memory"] = "1Mi"
    pod["nodeSelector"]["kubernetes.io/arch"] = "arm64"
    found = kube_checks.problems({"deployment.yaml": deployment}, arch="amd64", gpu=False)
    assert any("imagePullPolicy" in p for p in found), found
    assert any("memory limit 1Mi is below its request" in p for p in found), found
    assert any("kubernetes.io/arch is 'arm64' but the image is built for amd64" in p
               for p in found), found
    isvc["spec"]["predictor"]["scaleMetric"] = "latency"
    isvc["spec"]["predictor"]["maxReplicas"] = -1
    isvc["spec"]["predictor"]["bogus"] = 1
    found = kube_checks.problems({"isvc.yaml": isvc}, arch="amd64", gpu=False)
    for wanted in ("spec.predictor.scaleMetric: 'latency' is not one of",
                   "spec.predictor.maxReplicas: -1 is less than the minimum",
                   "'bogus' was unexpected", "requests nvidia.com/gpu but the target's nodes "
                   "have no GPU", "minReplicas 0 is above maxReplicas -1"):
        assert any(wanted in p for p in found), (wanted, found)


def test_nodes_compose_with_orchestrators_only(iris_bundle):
    with pytest.raises(DeployError, match=r"nodes: 'local' cannot be a cluster's nodes \(allowed"):
        plan(iris_bundle, "kubernetes", nodes="local")
    with pytest.raises(DeployError, match="--nodes is for orchestrated targets"):
        plan(iris_bundle, "cloud-x86", nodes="gpu-cuda")
    with pytest.raises(DeployError, match="did you mean 'gpu-cuda'"):
        plan(iris_bundle, "kserve", nodes="gpu-cud")
    with pytest.raises(DeployError, match="--namespace is for the kubernetes and kserve"):
        plan(iris_bundle, "cloud-x86", cluster=ClusterOptions(namespace="ml"))


def test_a_target_entry_naming_nodes_takes_their_hardware():
    """What a plugin's entry (data, like data/targets.yaml's) gets: the nodes' fields, with
    its own where it states them."""
    from stratum_jupyter.deploy import targets as tg

    known = {t.name: t for t in tg.list_targets()}
    entry = {"name": "edge-cluster", "orchestrator": "kubernetes", "nodes": "edge-arm64",
             "memory_mb": 2048}
    [target] = tg._parse(tg._with_nodes([entry], known), "test")
    assert (target.arch, target.conversion, target.memory_mb) == ("arm64", "onnx", 2048)
    assert target.orchestrated and target.hardware == "edge-arm64"
    assert tg.get_target("kserve").summary()["nodes"] == "cloud-x86"


def _profiled(iris_bundle, tmp_path, recommendation):
    model = tmp_path / "model"
    shutil.copytree(iris_bundle, model)
    write_rightsizing(model, Rightsizing(
        goal=Goal(p99_ms=50.0, rps=200.0), recommendation=recommendation,
        measured_with="docker", measured_at="2026-12-01T03:20:00+00:00"))
    return model


def test_sizing_comes_from_the_profile_recommendation(iris_bundle, tmp_path):
    rec = Recommendation(cpus=0.5, memory_bytes=512 * 2**20, workers=1, threads=3,
                         p50_ms=4.0, p99_ms=12.0, throughput_rps=100.0, cpu_percent=40.0)
    model = _profiled(iris_bundle, tmp_path, rec)
    events: list[str] = []
    deploy(model, "kubernetes", tmp_path / "k8s", check=True, on_event=events.append)
    docs = docs_of(tmp_path / "k8s")
    box = docs["deployment.yaml"]["spec"]["template"]["spec"]["containers"][0]
    assert box["resources"] == {"requests": {"cpu": "500m", "memory": "512Mi"},
                                "limits": {"cpu": "500m", "memory": "512Mi"}}
    assert {"name": "STRATUM_PREDICT_THREADS", "value": "3"} in box["env"]
    hpa = docs["hpa.yaml"]["spec"]
    # M/M/c by hand: 200 req/s over 100 req/s replicas at <= 70% busy needs 3 (P(wait) 0.44,
    # wait p99 = ln(44.4)/100 s = 38 ms, 12 + 38 <= 50 ms); 400 req/s needs 6
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (3, 6)
    # 40% of a core at full load on a 0.5-CPU request is 80%; at 70% of full load: 56%
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 56
    assert docs["deployment.yaml"]["metadata"]["annotations"]["stratum.io/sizing"] == "profile"
    text = (tmp_path / "k8s/kubernetes/hpa.yaml").read_text()
    assert "# sizing: from stratum profile (docker, 2026-12-01T03:20:00+00:00)" in text
    plan_json = json.loads((tmp_path / "k8s/kubernetes/capacity.json").read_text())
    # at 50 req/s one replica is 50% busy but its queue's p99 (ln(50)/50 s = 78 ms) misses
    assert [s["replicas"] for s in plan_json["steps"]] == [2, 2, 3, 6, 12]
    assert any(line.startswith("capacity plan (M/M/c") for line in events)
    assert (tmp_path / "k8s/kubernetes/capacity.txt").read_text().splitlines()[0] \
        .startswith("capacity plan")

    deploy(model, "kserve", tmp_path / "ks", check=True, rps=50.0, on_event=lambda _: None)
    predictor = docs_of(tmp_path / "ks")["inferenceservice.yaml"]["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (0, 3)  # 100 req/s: 2, +1
    assert (predictor["scaleMetric"], predictor["scaleTarget"]) == ("rps", 70)
    assert predictor["containers"][0]["resources"]["limits"] == {"cpu": "500m",
                                                                 "memory": "512Mi"}


def test_without_a_recommendation_the_defaults_say_so(cluster_bundles, iris_bundle, tmp_path):
    out = cluster_bundles["kubernetes", "cloud-x86"]
    docs = docs_of(out)
    hpa = docs["hpa.yaml"]["spec"]
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 5)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
    box = docs["deployment.yaml"]["spec"]["template"]["spec"]["containers"][0]
    assert box["resources"]["requests"]["cpu"] == "500m"
    assert docs["deployment.yaml"]["metadata"]["annotations"]["stratum.io/sizing"] == "defaults"
    for name in ("deployment.yaml", "hpa.yaml", "kustomization.yaml"):
        assert "# sizing: defaults: the model bundle has no rightsizing recommendation" in \
            (out / "kubernetes" / name).read_text()
    assert not (out / "kubernetes/capacity.json").exists()
    predictor = docs_of(cluster_bundles["kserve", "cloud-x86"])["inferenceservice.yaml"][
        "spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["scaleMetric"]) == (0, "concurrency")

    model = _profiled(iris_bundle, tmp_path, None)  # profiled, but nothing met the goal
    render(plan(model, "kserve"), tmp_path / "none")
    assert "found no configuration that met p99 50 ms at 200 req/s" in \
        (tmp_path / "none/kubernetes/inferenceservice.yaml").read_text()


def test_hostile_names_and_values_stay_data(iris_bundle, tmp_path):
    for target in ("kubernetes", "kserve"):
        hostile, plain = tmp_path / f"{target}-hostile", tmp_path / f"{target}-plain"
        render(plan(iris_bundle, target, name=HOSTILE), hostile)
        render(plan(iris_bundle, target, name="plain"), plain)
        docs, benign = docs_of(hostile), docs_of(plain)
        assert kube_checks.problems(docs, arch="amd64", gpu=False) == []
        for name, doc in docs.items():
            assert doc["metadata"]["annotations"]["stratum.io/title"] == HOSTILE
            assert DNS_LABEL.match(doc["metadata"]["name"]), doc["metadata"]["name"]
            assert _shape(doc) == _shape(benign[name])  # same keys everywhere: no injection
            text = (hostile / "kubernetes" / name).read_text()
            comments = [ln for ln in text.splitlines() if ln.startswith("#")]
            assert comments == [ln for ln in (plain / "kubernetes" / name).read_text()
                                .splitlines() if ln.startswith("#")]
    bad = [ClusterOptions(namespace=HOSTILE), ClusterOptions(registry="reg.io/$(id)\n"),
           ClusterOptions(rps=float("nan"))]
    for options in bad:
        with pytest.raises(DeployError, match=r"(namespace|registry|rps): "):
            plan(iris_bundle, "kubernetes", cluster=options)


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if k != "stratum.io/title"}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return type(value).__name__


def test_registry_names_the_image_the_cluster_pulls(iris_bundle, tmp_path):
    render(plan(iris_bundle, "kserve", cluster=ClusterOptions(registry="reg.example.com:5000/ml",
                                                             namespace="ml")), tmp_path / "r")
    isvc = docs_of(tmp_path / "r")["inferenceservice.yaml"]
    image = isvc["spec"]["predictor"]["containers"][0]["image"]
    assert re.fullmatch(r"reg\.example\.com:5000/ml/stratum/logreg:[0-9a-f]{12}", image)
    assert json.loads((tmp_path / "r/bundle.json").read_text())["image"] == image  # --build
    assert isvc["metadata"]["namespace"] == "ml"
    assert f"docker push {image}" in (tmp_path / "r/README.md").read_text()


def test_apply_sends_exactly_the_rendered_manifests(cluster_bundles, tmp_path):
    """Everything up to the API call: the objects --apply sends, in order."""
    out = cluster_bundles["kubernetes", "gpu-cuda"]
    token = "t0ken-that-is-long-enough"
    sent = apply_requests(out, token)
    assert [r.kind for r in sent] == ["Secret", "Deployment", "Service",
                                      "HorizontalPodAutoscaler", "PodDisruptionBudget",
                                      "NetworkPolicy"]
    assert sent[0].body["stringData"] == {"token": token}
    assert sent[0].name == manifests.token_secret("stratum-logreg")
    assert [r.body for r in sent[1:]] == list(docs_of(out).values())
    assert {r.namespace for r in sent} == {"stratum"}
    assert all(token not in p.read_text(errors="replace") for p in out.rglob("*")
               if p.is_file() and p.suffix in {".yaml", ".json", ".md", ".txt"})
    assert [r.kind for r in apply_requests(out, None)][0] == "Deployment"


def test_cluster_options_are_refused_where_they_do_not_belong(iris_bundle, tmp_path):
    with pytest.raises(DeployError, match="--run starts a container on this Docker engine"):
        deploy(iris_bundle, "kubernetes", tmp_path / "a", run=True, on_event=lambda _: None)
    with pytest.raises(DeployError, match="--kubeconfig is used by --apply only"):
        deploy(iris_bundle, "kserve", tmp_path / "b", kubeconfig="k.yaml")
    with pytest.raises(DeployError, match="--kubeconfig is for the kubernetes and kserve"):
        deploy(iris_bundle, "cloud-x86", tmp_path / "c", apply=True, kubeconfig="k.yaml",
               inventory="i.ini")


@pytest.mark.slow
def test_live_apply_status_stop(iris_bundle, tmp_path):
    """A real cluster: --apply, status, stop. No cluster can run on this machine (no
    container runtime for a kubelet, no network to pull images): set
    STRATUM_TEST_KUBECONFIG to a cluster's kubeconfig (and STRATUM_TEST_REGISTRY to a
    registry it pulls from, holding the image) to run it."""
    kubeconfig = os.environ.get("STRATUM_TEST_KUBECONFIG")
    if not kubeconfig:
        pytest.skip("no Kubernetes cluster here: set STRATUM_TEST_KUBECONFIG (and "
                    "STRATUM_TEST_REGISTRY, STRATUM_SERVICE_TOKEN) to run the live path")
    from stratum_jupyter.deploy import lifecycle

    result = deploy(iris_bundle, "kubernetes", tmp_path / "live", apply=True,
                    kubeconfig=kubeconfig, registry=os.environ.get("STRATUM_TEST_REGISTRY"))
    assert result.url and result.record["kind"] == "kubernetes"
    assert lifecycle.status(tmp_path / "live")["cluster"]["ready"]
    lifecycle.stop(tmp_path / "live")
