"""Small ONNX models built in the tests (torch is not installed here): an MLP exported by
skl2onnx, and networks written node by node with onnx.helper."""

from __future__ import annotations

import numpy as np


def mlp_onnx(X: np.ndarray, y: np.ndarray):
    """An MLPClassifier fitted on ``X`` and its skl2onnx export (labels, then scores)."""
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2000, random_state=0).fit(X, y)
    return mlp, to_onnx(mlp, X[:1], options={"zipmap": False}, target_opset=17)


def softmax_net(weights: np.ndarray, bias: np.ndarray, *, input_shape=None, name="pixels"):
    """``softmax(flatten(x) @ W + b)``: a one-layer network taking ``input_shape`` (default
    ``[None, W.shape[0]]``), float32."""
    from onnx import TensorProto, helper, numpy_helper

    shape = input_shape or [None, weights.shape[0]]
    nodes = [helper.make_node("Flatten", [name], ["flat"], axis=1),
             helper.make_node("MatMul", ["flat", "W"], ["logits0"]),
             helper.make_node("Add", ["logits0", "b"], ["logits"]),
             helper.make_node("Softmax", ["logits"], ["scores"], axis=1)]
    graph = helper.make_graph(
        nodes, "net",
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, weights.shape[1]])],
        [numpy_helper.from_array(weights.astype(np.float32), "W"),
         numpy_helper.from_array(bias.astype(np.float32), "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
