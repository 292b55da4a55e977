"""Every target's bundle: its files, and the linters that judge them (hadolint, ansible-lint's
production profile, ansible-playbook --syntax-check). Hostile strings stay data."""

import json
import re
import subprocess

import pytest
import yaml

from stratum_jupyter.deploy.render import plan, render
from stratum_jupyter.deploy.targets import list_targets
from stratum_jupyter.errors import DeployError

from .conftest import HOSTILE, venv_bin

# the hardware targets (the kubernetes and kserve targets: tests/deploy/test_kubernetes.py)
TARGETS = [t.name for t in list_targets() if not t.orchestrated]


class UnsafeLoader(yaml.SafeLoader):
    pass


UnsafeLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "ANSIBLE_NOCOLOR": "1",
                               "NO_COLOR": "1"})
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


def lint_bundle(out):
    """hadolint (every rule, info level up) and ansible-playbook --syntax-check."""
    _run([venv_bin("hadolint"), "--failure-threshold", "info", "Dockerfile"], out)
    for playbook in ("playbook.yml", "stop.yml"):
        if (out / "ansible" / playbook).is_file():
            _run([venv_bin("ansible-playbook"), "-i", "inventory.ini", "--syntax-check",
                  playbook], out / "ansible")


def ansible_lint(root, outs):
    """ansible-lint's production profile over several bundles in one run (it is slow to
    start); every playbook and its roles are linted."""
    text = _run([venv_bin("ansible-lint"), "--offline", "--profile", "production",
                 *(str(o.relative_to(root) / "ansible" / name) for o in outs
                   for name in ("playbook.yml", "stop.yml")
                   if (o / "ansible" / name).is_file())], root)
    assert "Profile 'production' was required, and it passed" in text


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("bundles")


@pytest.fixture(scope="module")
def bundles(iris_bundle, root):
    return {name: (render(plan(iris_bundle, name, port=18080), root / name), root / name)
            for name in TARGETS}


def test_bundle_layout(bundles):
    for name, (manifest, out) in bundles.items():
        for part in ("Dockerfile", ".dockerignore", "requirements.txt", "README.md",
                     "service/server.py", "model/profile.json", "ansible/inventory.ini",
                     "ansible/playbook.yml", "ansible/vars.yml", "bundle.json"):
            assert (out / part).exists(), f"{name}: {part} missing"
        assert manifest["target"] == name
        reqs = (out / "requirements.txt").read_text().split()
        assert reqs and all(re.fullmatch(r"[a-z0-9-]+==[0-9][0-9a-z.]*", r) for r in reqs)
        docker = (out / "Dockerfile").read_text()
        assert docker.count("FROM ") == 2 and "USER 10001:10001" in docker
        assert "HEALTHCHECK" in docker and "EXPOSE 18080" in docker
        assert not re.search(r"(?i)(password|token|secret)\s*=", docker)
        inventory = (out / "ansible/inventory.ini").read_text()
        assert f"[stratum_{name.replace('-', '_')}]" in inventory


def test_edge_targets_ship_onnx_and_no_scikit_learn(bundles):
    for name in ("edge-arm64", "jetson"):
        manifest, out = bundles[name]
        assert (out / "model/model.onnx").is_file() and not (out / "model/model.skops").exists()
        assert manifest["conversion"]["verified_rows"] == 5
        reqs = (out / "requirements.txt").read_text()
        assert "onnxruntime==" in reqs and "scikit-learn" not in reqs
    assert (bundles["cloud-x86"][1] / "model/model.skops").is_file()


def test_gpu_targets_install_the_nvidia_toolkit(bundles):
    for name, (_, out) in bundles.items():
        playbook = (out / "ansible/playbook.yml").read_text()
        has_role = "stratum_nvidia" in playbook
        assert has_role == (name in {"gpu-cuda", "jetson"})
    run_opts = yaml.load((bundles["gpu-cuda"][1] / "ansible/vars.yml").read_text(),
                         Loader=UnsafeLoader)["stratum_run_options"]
    assert run_opts == ["--gpus", "all"]


def test_local_playbook_runs_on_this_machine(bundles):
    out = bundles["local"][1]
    play = yaml.safe_load((out / "ansible/playbook.yml").read_text())[0]
    assert play["connection"] == "local" and play["hosts"] == "stratum_local"


@pytest.mark.parametrize("name", TARGETS)
def test_every_target_passes_hadolint_and_syntax_check(bundles, name):
    lint_bundle(bundles[name][1])


@pytest.mark.slow
def test_every_target_passes_ansible_lint_production(bundles, root, iris_bundle):
    hostile = root / "o'ut $(touch pwned) {{ 7*7 }}"
    render(plan(iris_bundle, "gpu-cuda", name=HOSTILE), hostile)
    ansible_lint(root, [out for _, out in bundles.values()] + [hostile])
    assert not list(root.rglob("pwned"))


def test_hostile_names_and_paths_stay_data(iris_bundle, tmp_path):
    out = tmp_path / "o'ut $(touch pwned) \"q\" {{ 7*7 }}"
    manifest = render(plan(iris_bundle, "cloud-x86", name=HOSTILE), out)
    benign = render(plan(iris_bundle, "cloud-x86", name="plain"), tmp_path / "plain")
    docker = (out / "Dockerfile").read_text()
    plain = (tmp_path / "plain/Dockerfile").read_text()
    # same instructions, line for line: nothing was injected
    assert [ln.split()[0] if ln.strip() else "" for ln in docker.splitlines()] == \
        [ln.split()[0] if ln.strip() else "" for ln in plain.splitlines()]
    assert not any(line.lstrip().startswith("RUN rm") for line in docker.splitlines())
    quoted = re.search(r'image\.title="((?:[^"\\]|\\.)*)"', docker).group(1)
    assert re.sub(r"\\(.)", r"\1", quoted) == HOSTILE.replace("\n", " ").replace("\\", "/")
    assert manifest["title"] == HOSTILE
    assert re.fullmatch(r"stratum/[a-z0-9-]+:[0-9a-f]{12}", manifest["image"])
    variables = yaml.load((out / "ansible/vars.yml").read_text(), Loader=UnsafeLoader)
    assert variables["stratum_container"].startswith("stratum-m-o-d-e-id-l-run-rm-rf")
    assert all(re.fullmatch(r"[a-z0-9/:._-]+", variables[k]) for k in
               ("stratum_image", "stratum_container", "stratum_install_dir"))
    readme = (out / "README.md").read_text()
    assert not any(line.lstrip().startswith("RUN rm") for line in readme.splitlines())
    assert "<" not in readme.split("\n", 1)[0]
    lint_bundle(out)
    assert not list(tmp_path.rglob("pwned"))
    assert json.loads((out / "bundle.json").read_text())["title"] == HOSTILE
    assert benign["image"] != manifest["image"]


def test_local_vars_are_never_templated(iris_bundle, tmp_path):
    render(plan(iris_bundle, "local"), tmp_path / "b")
    text = (tmp_path / "b/ansible/vars.yml").read_text()
    assert all(line.split(": ", 1)[1].startswith(("!unsafe", "8080")) for line in
               text.splitlines()[1:] if ": " in line)


def test_render_refuses_a_folder_it_did_not_make(iris_bundle, tmp_path):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(DeployError, match="not empty and holds no earlier deploy bundle"):
        render(plan(iris_bundle, "local"), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_rerender_replaces_generated_files_and_keeps_run_state(iris_bundle, tmp_path):
    out = tmp_path / "b"
    first = render(plan(iris_bundle, "cloud-x86"), out)
    (out / "run").mkdir()
    (out / "run/state.json").write_text("{}")
    second = render(plan(iris_bundle, "cloud-x86"), out)
    assert first["image"] == second["image"]  # same content, same tag: idempotent
    assert (out / "run/state.json").exists()
    third = render(plan(iris_bundle, "cloud-x86", port=9000), out)
    assert third["image"] != first["image"]


def test_bad_base_image_override_is_refused(iris_bundle):
    with pytest.raises(DeployError, match="base_image: 'x\\\\nRUN id'"):
        plan(iris_bundle, "cloud-x86", base_image="x\nRUN id")
