"""The gradient-boosting blocks in ONNX: skl2onnx converts a pipeline, and each block's
library estimator in it with the library's converter: onnxmltools' for XGBoost and
LightGBM, CatBoost's own export (``catboost.utils.convert_to_onnx_object``) for CatBoost.

A block stands in the pipeline as a subclass of its library's estimator whose ``classes_``
are the block's labels (the library was fitted on 0..K-1), so the ONNX model answers the
block's labels. Used by edge deploy (``deploy/onnx_converter.py``), which verifies the ONNX
answers against the model before shipping it.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any


@functools.cache
def onnx_stand_in(module: str, name: str) -> type:
    """A subclass of ``module.name`` (``"xgboost"``, ``"XGBClassifier"``) registered with
    skl2onnx; its ``classes_`` read the instance's ``stratum_classes``."""
    from skl2onnx import update_registered_converter
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from sklearn.base import ClassifierMixin

    library = getattr(importlib.import_module(module), name)
    classifier = name.endswith("Classifier")
    labels = {"classes_": property(lambda self: self.stratum_classes)} if classifier else {}
    # skl2onnx gives a classifier its label and probabilities outputs when it is a
    # ClassifierMixin, which CatBoost's classifier is not.
    bases = (library, ClassifierMixin) if classifier and not issubclass(
        library, ClassifierMixin) else (library,)
    cls = type(f"Onnx{name}", bases, {**labels, "__module__": __name__})
    shapes = calculate_linear_classifier_output_shapes if classifier \
        else calculate_linear_regressor_output_shapes
    options = {"nocl": [True, False], "zipmap": [True, False, "columns"]} if classifier else None
    update_registered_converter(cls, f"Stratum{name}", shapes, _converter(module),
                                options=options)
    return cls


def _converter(module: str) -> Any:
    if module == "xgboost":
        from onnxmltools.convert.xgboost.operator_converters.XGBoost import convert_xgboost

        return convert_xgboost
    if module == "lightgbm":
        from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm

        return convert_lightgbm
    return convert_catboost


def convert_catboost(scope: Any, operator: Any, container: Any) -> None:
    """skl2onnx converter of a CatBoost estimator: the tree ensemble of CatBoost's own ONNX
    export, fed the operator's input, answering the block's labels."""
    from catboost.utils import convert_to_onnx_object
    from onnx.helper import get_attribute_value

    model = operator.raw_operator
    onx = convert_to_onnx_object(model)
    node = onx.graph.node[0]
    if len(onx.graph.initializer) or not node.op_type.startswith("TreeEnsemble"):
        raise NotImplementedError(f"CatBoost's ONNX export is not one tree ensemble "
                                  f"({', '.join(n.op_type for n in onx.graph.node)})")
    atts = {a.name: get_attribute_value(a) for a in node.attribute if a.name != "name"}
    outputs = [operator.outputs[0].full_name]
    if node.op_type == "TreeEnsembleClassifier":
        classes = model.stratum_classes
        atts.pop("classlabels_int64s", None)
        atts.pop("classlabels_strings", None)
        if classes.dtype.kind in "iub":
            atts["classlabels_int64s"] = [int(c) for c in classes]
        else:
            atts["classlabels_strings"] = [str(c) for c in classes]
        outputs.append(operator.outputs[1].full_name)
    opsets = {d.domain: d.version for d in onx.opset_import}
    container.add_node(node.op_type, [operator.inputs[0].full_name], outputs,
                       op_domain=node.domain, op_version=opsets.get(node.domain),
                       name=scope.get_unique_operator_name("CatBoost"), **atts)
