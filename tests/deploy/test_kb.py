import sqlite3

import pytest

from stratum_jupyter.deploy.kb import SCHEMA, KnowledgeBase, remove_rows, set_row
from stratum_jupyter.errors import StratumError


def test_seed_answers_per_component_and_target():
    kb = KnowledgeBase()
    assert kb.wheel("scikit-learn", "arm64")["available"] == 1
    assert kb.wheel("Scikit_Learn", "amd64")["available"] == 1  # PEP 503 names
    assert kb.wheel("skops", "arm64")["arch"] == "any"          # pure Python
    assert kb.wheel("tensorflow-cpu", "arm64")["available"] == 0
    assert kb.wheel("no-such-package", "amd64") is None
    assert any(p.startswith("prometheus-client==") for p in kb.pins("service"))
    assert "docker.io" in kb.apt_packages("docker", "cloud-x86")
    assert kb.apt_packages("nvidia", "gpu-cuda") == ["nvidia-container-toolkit"]
    assert kb.apt_packages("nvidia", "cloud-x86") == []
    assert kb.base_image("gpu-cuda", "sklearn")["image"].startswith("python:")
    assert kb.runtime_memory("keras") > kb.runtime_memory("onnx") > 0


def test_user_rows_override_the_seed_and_removal_restores_it(user_kb):
    set_row("wheels", {"package": "scikit-learn", "arch": "arm64", "available": "no",
                       "note": "our boards are old"})
    set_row("pins", {"component": "service", "package": "prometheus_client", "version": "0.20.0"})
    kb = KnowledgeBase()
    assert kb.wheel("scikit-learn", "arm64") == {"package": "scikit-learn", "arch": "arm64",
                                                 "available": 0, "note": "our boards are old"}
    assert "prometheus-client==0.20.0" in kb.pins("service")
    assert remove_rows("wheels", {"package": "scikit-learn", "arch": "arm64"}) == 1
    assert KnowledgeBase().wheel("scikit-learn", "arm64")["available"] == 1


def test_values_are_parameters_never_sql(user_kb):
    hostile = "x'); DROP TABLE wheels; --"
    set_row("wheels", {"package": hostile, "arch": "amd64", "available": 1, "note": hostile})
    kb = KnowledgeBase()
    assert kb.wheel(hostile, "amd64")["note"] == hostile
    assert kb.wheel("numpy", "amd64") is not None  # the table is still there
    with sqlite3.connect(user_kb) as conn:
        assert conn.execute("SELECT count(*) FROM wheels").fetchone()[0] == 1
    assert kb.rows("wheels", package=hostile)[0]["note"] == hostile


def test_bad_tables_columns_and_values_are_named():
    with pytest.raises(StratumError, match="unknown table 'wheel'.*allowed: wheels"):
        set_row("wheel", {"package": "a"})
    with pytest.raises(StratumError, match="no column 'colour'"):
        KnowledgeBase().rows("wheels", colour="red")
    with pytest.raises(StratumError, match="rows need arch"):
        set_row("wheels", {"package": "a", "available": 1})
    with pytest.raises(StratumError, match="available must be an integer or yes/no"):
        set_row("wheels", {"package": "a", "arch": "amd64", "available": "maybe"})
    assert set(SCHEMA) == {"wheels", "pins", "apt", "base_images", "runtime_memory",
                           "quantized"}
