"""The client side of --apply, status and stop for the cluster targets, driven through the
real Kubernetes client against a small HTTP server on loopback that answers discovery and
records every request. This checks the plumbing (paths, server-side apply's content type and
parameters, the order, waiting, deletion); what is sent is the manifests tested in
test_kubernetes.py. A real cluster: test_kubernetes.py::test_live_apply_status_stop."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from stratum_jupyter.deploy import kube_apply, lifecycle
from stratum_jupyter.deploy.api import deploy

GROUPS = {"apps/v1": [("deployments", "Deployment")],
          "autoscaling/v2": [("horizontalpodautoscalers", "HorizontalPodAutoscaler")],
          "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget")],
          "networking.k8s.io/v1": [("networkpolicies", "NetworkPolicy")],
          "serving.kserve.io/v1beta1": [("inferenceservices", "InferenceService")]}
CORE = [("services", "Service"), ("secrets", "Secret"), ("namespaces", "Namespace")]


def _resources(group_version, entries):
    return {"kind": "APIResourceList", "groupVersion": group_version, "resources": [
        {"name": plural, "singularName": kind.lower(), "namespaced": kind != "Namespace",
         "kind": kind, "verbs": ["create", "delete", "get", "list", "patch", "update"]}
        for plural, kind in entries]}


class FakeApi(BaseHTTPRequestHandler):
    """Discovery documents, and objects kept as they were applied (ready at once)."""

    seen: list[tuple[str, str, dict, str, object]] = []
    store: dict[str, dict] = {}

    def log_message(self, *args):  # quiet
        pass

    def _send(self, code, data):
        body = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = urlparse(self.path).path
        if path == "/version":
            return self._send(200, {"major": "1", "minor": "30", "gitVersion": "v1.30.0"})
        if path == "/api":
            return self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            groups = [{"name": gv.split("/")[0], "versions": [
                {"groupVersion": gv, "version": gv.split("/")[1]}],
                "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}}
                for gv in GROUPS]
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                    "groups": groups})
        if path == "/api/v1":
            return self._send(200, _resources("v1", CORE))
        if path.startswith("/apis/") and path.count("/") == 3:
            gv = path[len("/apis/"):]
            return self._send(200, _resources(gv, GROUPS[gv]))
        self.seen.append(("GET", path, {}, "", None))
        if path in self.store:
            return self._send(200, self.store[path])
        return self._send(404, {"kind": "Status", "code": 404, "reason": "NotFound"})

    def do_PATCH(self):
        url = urlparse(self.path)
        body = yaml.safe_load(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(("PATCH", url.path, parse_qs(url.query),
                          self.headers["Content-Type"], body))
        obj = {**body, "metadata": {**body["metadata"], "generation": 1}}
        if body["kind"] == "Deployment":
            obj["status"] = {"observedGeneration": 1, "replicas": 2, "readyReplicas": 2,
                             "updatedReplicas": 2}
        if body["kind"] == "InferenceService":
            obj["status"] = {"url": "http://stratum-logreg.stratum.example.com",
                             "conditions": [{"type": "Ready", "status": "True"}]}
        self.store[url.path] = obj
        self._send(200, obj)

    def do_DELETE(self):
        path = urlparse(self.path).path
        self.seen.append(("DELETE", path, {}, "", None))
        found = self.store.pop(path, None)
        self._send(200 if found else 404, {"kind": "Status", "code": 200 if found else 404})


@pytest.fixture
def fake_cluster(tmp_path, monkeypatch):
    FakeApi.seen, FakeApi.store = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {
            "server": f"http://127.0.0.1:{server.server_port}"}}],
        "users": [{"name": "me", "user": {"token": "abc"}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "me"}}]}))
    monkeypatch.setenv("STRATUM_SERVICE_TOKEN", "a-token-long-enough-to-pass")
    monkeypatch.setenv("STRATUM_DEPLOYMENTS", str(tmp_path / "deployments.json"))
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the client's discovery cache
    yield kubeconfig
    server.shutdown()
    server.server_close()


def test_apply_status_stop_through_the_client(iris_bundle, tmp_path, fake_cluster):
    out = tmp_path / "k8s"
    events: list[str] = []
    result = deploy(iris_bundle, "kubernetes", out, apply=True, kubeconfig=fake_cluster,
                    on_event=events.append)
    patches = [s for s in FakeApi.seen if s[0] == "PATCH"]
    sent = kube_apply.apply_requests(out, "a-token-long-enough-to-pass")
    assert [p[4] for p in patches] == [r.body for r in sent]
    assert [p[1] for p in patches] == [
        "/api/v1/namespaces/stratum/secrets/stratum-logreg-token",
        "/apis/apps/v1/namespaces/stratum/deployments/stratum-logreg",
        "/api/v1/namespaces/stratum/services/stratum-logreg",
        "/apis/autoscaling/v2/namespaces/stratum/horizontalpodautoscalers/stratum-logreg",
        "/apis/policy/v1/namespaces/stratum/poddisruptionbudgets/stratum-logreg",
        "/apis/networking.k8s.io/v1/namespaces/stratum/networkpolicies/stratum-logreg"]
    for _, _, query, content_type, _ in patches:
        assert content_type == "application/apply-patch+yaml"
        assert query["fieldManager"] == ["stratum"] and query["force"][0].lower() == "true"
    assert result.url == "http://stratum-logreg.stratum.svc.cluster.local"
    assert "Deployment ready 2/2" in events
    record = json.loads((out / "deploy.json").read_text())
    assert record["kind"] == "kubernetes" and record["how"]["kubeconfig"]
    assert "a-token" not in (out / "deploy.json").read_text()

    found = lifecycle.status(out)
    assert found["cluster"]["ready"] and found["cluster"]["detail"] == "Deployment ready 2/2"
    assert found["health"] == "ok"  # by the pods' probes: the URL is in-cluster only
    assert found["cluster"]["url"].startswith("unreachable from here")
    lifecycle.stop(out, on_event=events.append)
    deletes = [s[1] for s in FakeApi.seen if s[0] == "DELETE"]
    assert deletes == [p[1] for p in reversed(patches[1:])]  # the Secret stays
    assert json.loads((out / "deploy.json").read_text())["stopped_at"]


def test_kserve_waits_for_the_ready_condition(iris_bundle, tmp_path, fake_cluster):
    from stratum_jupyter.deploy.render import plan, render

    render(plan(iris_bundle, "kserve"), tmp_path / "ks")
    record = kube_apply.apply(tmp_path / "ks", kubeconfig=fake_cluster, on_event=print)
    assert record["url"] == "http://stratum-logreg.stratum.example.com"
    assert record["cluster"]["objects"] == [
        ["serving.kserve.io/v1beta1", "InferenceService", "stratum-logreg"]]
