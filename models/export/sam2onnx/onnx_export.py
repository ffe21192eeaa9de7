"""Writes the contract's four ONNX graphs and manifest.json for a SAM2Model."""
import hashlib
import json
import os
from typing import Dict, Optional

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import torch

from .graphs import DYNAMIC_AXES, GRAPHS, example_inputs
from .model import SAM2Model

OPSET = 17
# 2: memory_encoder takes binarize_mask; manifest gains postprocessing and constants.mask_downsample.
MANIFEST_FORMAT_VERSION = 2
# SAM 2 preprocesses [0,1] RGB with the ImageNet mean/std.
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
# Initializers smaller than this stay fp32 in fp16 graphs: they cost nothing and include scalars
# whose exact value matters (eps, scale factors).
FP16_MIN_ELEMENTS = 64


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_graph(graph_name: str, model: SAM2Model, path: str) -> None:
    module = GRAPHS[graph_name](model).eval()
    inputs = example_inputs(graph_name, model)
    with torch.no_grad():
        torch.onnx.export(
            module, inputs, path, opset_version=OPSET, do_constant_folding=True,
            input_names=module.inputs, output_names=module.outputs,
            dynamic_axes=DYNAMIC_AXES[graph_name])
    proto = onnx.load(path)
    got_in = [i.name for i in proto.graph.input]
    got_out = [o.name for o in proto.graph.output]
    if got_in != module.inputs or got_out != module.outputs:
        raise RuntimeError(f"{graph_name}: exported names {got_in} -> {got_out} differ from the "
                           f"contract's {module.inputs} -> {module.outputs}")
    onnx.checker.check_model(proto)


def weights_to_fp16(path: str) -> None:
    """Stores large float weights as fp16, each followed by a Cast back to float32: files halve,
    inputs/outputs and arithmetic stay float32 (every backend runs it; ORT folds the casts at load)."""
    proto = onnx.load(path)
    graph = proto.graph
    casts = []
    keep = []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size >= FP16_MIN_ELEMENTS:
            half = numpy_helper.from_array(arr.astype(np.float16), init.name + "__fp16")
            keep.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=init.name + "__to_fp32"))
        else:
            keep.append(init)
    for node in graph.node:
        if node.op_type != "Constant":
            continue
        for attr in node.attribute:
            if attr.name == "value" and attr.t.data_type == TensorProto.FLOAT:
                arr = numpy_helper.to_array(attr.t)
                if arr.size >= FP16_MIN_ELEMENTS:
                    half = numpy_helper.from_array(arr.astype(np.float16), node.output[0] + "__fp16")
                    keep.append(half)
                    casts.append(helper.make_node("Cast", [half.name], [node.output[0]],
                                                  to=TensorProto.FLOAT,
                                                  name=node.output[0] + "__to_fp32"))
                    node.output[0] = node.output[0] + "__unused"
    del graph.initializer[:]
    graph.initializer.extend(keep)
    nodes = casts + [n for n in graph.node if not n.output[0].endswith("__unused")]
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(proto)
    onnx.save(proto, path)


def postprocessing(v) -> Dict:
    """The video predictor's settings around the graphs (names: models/README.md, manifest)."""
    return {
        "multimaskViaStability": v.multimask_via_stability,
        "stabilityDelta": v.stability_delta,
        "stabilityThresh": v.stability_thresh,
        "fillHoleArea": v.fill_hole_area,
        "binarizeMaskFromPtsForMemEnc": v.binarize_mask_from_pts_for_mem_enc,
        "maskInputAsOutput": v.mask_input_as_output,
    }


def export_model(model: SAM2Model, out_dir: str, *, name: str, precision: str = "fp32",
                 source: Optional[Dict] = None, test_model: bool = False,
                 description: str = "") -> Dict:
    if precision not in ("fp32", "fp16"):
        raise ValueError(f"precision must be fp32 or fp16 (got {precision!r})")
    os.makedirs(out_dir, exist_ok=True)
    v = model.variant
    graphs = {}
    for graph_name in GRAPHS:
        file = f"{graph_name}.onnx"
        path = os.path.join(out_dir, file)
        export_graph(graph_name, model, path)
        if precision == "fp16":
            weights_to_fp16(path)
        graphs[graph_name] = {"file": file, "sha256": sha256_file(path), "precision": precision}
    manifest = {
        "format": "medsam2-onnx-contract",
        "formatVersion": MANIFEST_FORMAT_VERSION,
        "name": name,
        "version": "1",
        "description": description or v.description,
        "source": source or {"checkpoint": None, "sha256": None, "variant": v.name},
        "testModel": test_model,
        "imageSize": model.image_size,
        "input": {"mean": IMAGENET_MEAN, "std": IMAGENET_STD},
        "numMaskmem": v.num_maskmem,
        "maxObjPtrs": v.max_obj_ptrs,
        "sigmoidScaleForMemEnc": v.sigmoid_scale_for_mem_enc,
        "sigmoidBiasForMemEnc": v.sigmoid_bias_for_mem_enc,
        # SAM 2's video settings: multimask on the first click and on tracked frames.
        "multimask": {"onPromptedFrames": True, "onTrackedFrames": True, "minPoints": 0,
                      "maxPoints": 1},
        "postprocessing": postprocessing(v),
        "constants": model.manifest_constants(),
        "graphs": graphs,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return manifest
