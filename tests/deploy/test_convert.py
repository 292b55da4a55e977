import json
import shutil

import numpy as np
import pytest

from stratum_jupyter.bundle import load_model, read_profile
from stratum_jupyter.deploy.convert import ATOL, RTOL, compare, convert_onnx
from stratum_jupyter.errors import DeployError


def test_onnx_conversion_is_verified_against_the_original(iris_bundle, tmp_path, iris_split):
    report = convert_onnx(iris_bundle, read_profile(iris_bundle), tmp_path)
    assert report["verified_rows"] == 5 and report["rtol"] == RTOL and report["atol"] == ATOL
    assert json.loads((tmp_path / "conversion.json").read_text()) == report
    # and beyond the sample rows: held-out rows agree too
    import onnxruntime as ort

    _, X_test, _, _ = iris_split
    session = ort.InferenceSession(str(tmp_path / "model.onnx"))
    labels, probs = session.run(None, {"X": X_test.to_numpy(np.float32)})
    model = load_model(iris_bundle)
    assert (labels == model.predict(X_test)).all()
    np.testing.assert_allclose(probs, model.predict_proba(X_test), atol=1e-4)


def test_regressor_on_arrays_converts(diabetes_bundle, tmp_path):
    report = convert_onnx(diabetes_bundle, read_profile(diabetes_bundle), tmp_path)
    assert report["format"] == "onnx"


def test_disagreeing_conversion_is_refused(diabetes_bundle, tmp_path):
    # float32 ONNX vs float64 scikit-learn differ in the last digits: a zero tolerance refuses.
    with pytest.raises(DeployError, match="values differ by up to"):
        convert_onnx(diabetes_bundle, read_profile(diabetes_bundle), tmp_path, rtol=0, atol=0)
    assert not (tmp_path / "model.onnx").exists()


def test_non_numeric_array_features_are_refused(diabetes_bundle, tmp_path):
    model = tmp_path / "m"
    shutil.copytree(diabetes_bundle, model)
    profile = read_profile(model)
    profile["input_schema"]["features"][0]["dtype"] = "object"
    with pytest.raises(DeployError, match=r"arrays of numbers only; not numeric: x0 \(object\)"):
        convert_onnx(model, profile, tmp_path / "out")


def test_a_text_feature_the_pipeline_cannot_take_is_refused_naming_the_step(iris_bundle,
                                                                          tmp_path):
    """A table with a text column gets one input per column; the scaler takes no text."""
    model = tmp_path / "m"
    shutil.copytree(iris_bundle, model)
    profile = read_profile(model)
    profile["input_schema"]["features"][0]["dtype"] = "str"
    with pytest.raises(DeployError, match=r"skl2onnx cannot convert standardscaler "
                       r"\(StandardScaler\): .*StringTensorType"):
        convert_onnx(model, profile, tmp_path / "out")


def test_compare_reports_labels_and_shapes():
    assert compare({"labels": np.array([1, 2])}, {"labels": np.array([1, 3])}) == [
        "labels differ on sample rows [1]: [3] != original [2]"]
    assert "shape" in compare({"values": np.zeros(3)}, {"values": np.zeros(2)})[0]
    assert compare({"probabilities": np.ones((2, 2))}, {}) == [
        "the converted model gives no probabilities"]
