#!/usr/bin/env python3
"""Writes the int8 variant of an exported model folder (weight quantisation for the CPU / wasm path).

  python3 models/export/quantize_int8.py --model models/medsam2-t512 --out models/medsam2-t512-int8 \
      [--graphs image_encoder=int8,memory_attention=int8,mask_decoder=fp16,memory_encoder=int8]

Per graph, `int8` replaces every MatMul / Gemm whose second operand is a stored weight (at least
MIN_ELEMENTS values, 2-D) by onnxruntime's DynamicQuantizeMatMul (com.microsoft): the weight is
stored as int8 with one symmetric scale per output column, the activation is quantised to uint8 per
call, and the product is computed in integers and rescaled to float32. onnxruntime's CPU provider
and onnxruntime-web's wasm build run it with their integer GEMM (several times faster than the float
GEMM in wasm); WebGPU runs it too. Products of two activations (attention) stay float32. The other
float weights of an int8 graph (norms, biases, positional tables) are stored as fp16, as an fp16
export stores them. `fp16` stores all of a graph's float weights as fp16; `fp32` copies the graph.
Inputs and outputs stay float32 everywhere; the manifest records each graph's precision and sha256.

Needs only the `onnx` package (>= 1.12) and numpy.
"""
import argparse
import json
import os
import shutil
import sys
from typing import Dict, List, Optional, Tuple

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sam2onnx.onnx_export import sha256_file, weights_to_fp16  # noqa: E402

GRAPH_NAMES = ("image_encoder", "memory_attention", "mask_decoder", "memory_encoder")
PRECISIONS = ("int8", "fp16", "fp32")
MS_DOMAIN = "com.microsoft"
# Smaller weights stay float: quantising them saves neither time nor bytes worth the error.
MIN_ELEMENTS = 16384
# The default (models/README.md, "int8 variant", has the measurements): the mask decoder's int8
# errors flip the multimask choice on some slices (loop IoU 0.75) and it is ~2 % of a slice's time,
# so it keeps float weights (fp16 storage); the other three graphs are int8.
DEFAULT_PLAN = {"image_encoder": "int8", "memory_attention": "int8", "mask_decoder": "fp16",
                "memory_encoder": "int8"}


class QuantizeError(Exception):
    pass


def quantize_weight(w: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per output column of a [K, N] weight: w ~= q * scale[n], q in [-127, 127]."""
    peak = np.abs(w).max(axis=0)
    scale = np.where(peak > 0, peak / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale


class Initializers:
    """Stored weights by name (initializers and Constant nodes), and how many nodes read each."""

    def __init__(self, graph: onnx.GraphProto):
        self.graph = graph
        self.init = {t.name: t for t in graph.initializer}
        self.const = {n.output[0]: n for n in graph.node if n.op_type == "Constant"}
        # The exporter passes a weight used twice (SAM 2's k/v projections of memories and of
        # object pointers) through Identity nodes.
        self.alias = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Identity"}
        self.readers: Dict[str, int] = {}
        for n in graph.node:
            for i in n.input:
                self.readers[i] = self.readers.get(i, 0) + 1
        for o in graph.output:
            self.readers[o.name] = self.readers.get(o.name, 0) + 1

    def resolve(self, name: str) -> str:
        while name in self.alias:
            name = self.alias[name]
        return name

    def array(self, name: str) -> Optional[np.ndarray]:
        name = self.resolve(name)
        if name in self.init:
            return numpy_helper.to_array(self.init[name])
        node = self.const.get(name)
        if node is not None:
            for a in node.attribute:
                if a.name == "value":
                    return numpy_helper.to_array(a.t)
        return None


def weight_operand(node: onnx.NodeProto, inits: Initializers) -> Optional[Tuple[np.ndarray, Optional[np.ndarray]]]:
    """The [K, N] float weight (and [N] bias for Gemm) when `node` multiplies an activation by one."""
    if node.op_type not in ("MatMul", "Gemm") or len(node.input) < 2:
        return None
    if inits.array(node.input[0]) is not None:
        return None  # constant times something: not a weight product this pass handles
    w = inits.array(node.input[1])
    if w is None or w.dtype != np.float32 or w.ndim != 2 or w.size < MIN_ELEMENTS:
        return None
    bias = None
    if node.op_type == "Gemm":
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or attrs.get("beta", 1.0) != 1.0:
            return None
        if attrs.get("transB", 0):
            w = w.T
        if len(node.input) > 2 and node.input[2]:
            bias = inits.array(node.input[2])
            if bias is None or bias.shape != (w.shape[1],):
                return None  # a broadcast bias of another shape: leave the node as it is
    return np.ascontiguousarray(w), bias


def quantize_graph(proto: onnx.ModelProto, label: str) -> Dict:
    """Rewrites weight MatMul/Gemm nodes in place; returns what was quantised."""
    graph = proto.graph
    inits = Initializers(graph)
    done: Dict[str, Tuple[str, str, str]] = {}  # weight name (+transB) -> q, scale, zero point names
    new_inits: List[TensorProto] = []
    nodes: List[onnx.NodeProto] = []
    count, values = 0, 0
    for node in graph.node:
        found = weight_operand(node, inits)
        if found is None:
            nodes.append(node)
            continue
        w, bias = found
        key = inits.resolve(node.input[1]) + ("__T" if node.op_type == "Gemm" else "")
        if key not in done:
            q, scale = quantize_weight(w)
            names = (key + "__int8", key + "__scale", key + "__zero")
            new_inits += [numpy_helper.from_array(q, names[0]),
                          numpy_helper.from_array(scale, names[1]),
                          numpy_helper.from_array(np.zeros(q.shape[1], np.int8), names[2])]
            done[key] = names
            values += w.size
        q_name, s_name, z_name = done[key]
        inputs = [node.input[0], q_name, s_name, z_name]
        if bias is not None:
            inputs.append(node.input[2])
        nodes.append(helper.make_node("DynamicQuantizeMatMul", inputs, list(node.output),
                                      name=(node.name or node.output[0]) + "__int8",
                                      domain=MS_DOMAIN))
        count += 1
    if count == 0:
        raise QuantizeError(f"{label}: no MatMul/Gemm with a stored weight of >= {MIN_ELEMENTS} "
                            "values to quantise")
    del graph.node[:]
    graph.node.extend(nodes)
    graph.initializer.extend(new_inits)
    # Drop the float weights nothing reads any more (and the Identity/Constant nodes that led to them).
    outputs = {o.name for o in graph.output}
    while True:
        used = {i for n in graph.node for i in n.input} | outputs
        live = [n for n in graph.node
                if n.op_type not in ("Constant", "Identity") or n.output[0] in used]
        if len(live) == len(graph.node):
            break
        del graph.node[:]
        graph.node.extend(live)
    kept = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    if not any(o.domain == MS_DOMAIN for o in proto.opset_import):
        proto.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    return {"quantizedNodes": count, "quantizedWeights": len(done), "int8Values": values}


def parse_plan(text: Optional[str]) -> Dict[str, str]:
    plan = dict(DEFAULT_PLAN)
    if not text:
        return plan
    for item in text.split(","):
        graph, _, precision = item.partition("=")
        if graph not in GRAPH_NAMES:
            raise QuantizeError(f"--graphs: unknown graph {graph!r} (graphs: {', '.join(GRAPH_NAMES)})")
        if precision not in PRECISIONS:
            raise QuantizeError(f"--graphs: {graph}={precision!r}: precision must be one of "
                                f"{', '.join(PRECISIONS)}")
        plan[graph] = precision
    return plan


def read_manifest(model_dir: str) -> Dict:
    path = os.path.join(model_dir, "manifest.json")
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        raise QuantizeError(f"{path}: cannot be read as JSON ({e})")
    graphs = manifest.get("graphs")
    if not isinstance(graphs, dict) or set(graphs) != set(GRAPH_NAMES):
        raise QuantizeError(f"{path}: field \"graphs\" must name {', '.join(GRAPH_NAMES)}")
    for name, entry in graphs.items():
        precision = entry.get("precision") if isinstance(entry, dict) else None
        if precision != "fp32":
            raise QuantizeError(f"{path}: graphs.{name} must be an fp32 graph (got precision "
                                f"{precision}); quantise the fp32 export")
        file = entry.get("file")
        if not isinstance(file, str) or os.path.basename(file) != file or file.startswith("."):
            raise QuantizeError(f"{path}: graphs.{name}.file must be a plain file name")
        if sha256_file(os.path.join(model_dir, file)) != entry.get("sha256"):
            raise QuantizeError(f"{os.path.join(model_dir, file)}: sha256 differs from the manifest")
    return manifest


def quantize_model(model_dir: str, out_dir: str, plan: Dict[str, str],
                   name: Optional[str] = None) -> Dict:
    if os.path.abspath(model_dir) == os.path.abspath(out_dir):
        raise QuantizeError("--out must differ from --model (the fp32 folder is the source)")
    manifest = read_manifest(model_dir)
    os.makedirs(out_dir, exist_ok=True)
    report = {}
    for graph in GRAPH_NAMES:
        entry = manifest["graphs"][graph]
        src, dst = os.path.join(model_dir, entry["file"]), os.path.join(out_dir, entry["file"])
        precision = plan[graph]
        info: Dict = {"precision": precision}
        if precision == "fp32":
            shutil.copyfile(src, dst)
        else:
            proto = onnx.load(src)
            if precision == "int8":
                info.update(quantize_graph(proto, f"{src}"))
            onnx.save(proto, dst)
            weights_to_fp16(dst)  # int8: the float weights left (norms, biases, tables) as fp16
        entry.update(sha256=sha256_file(dst), precision=precision)
        info["bytes"] = os.path.getsize(dst)
        report[graph] = info
    manifest["name"] = name or f"{manifest['name']}-int8"
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    return report


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="fp32 model folder (export.py output)")
    p.add_argument("--out", required=True, help="output folder for the int8 variant")
    p.add_argument("--graphs", help="per-graph precision, e.g. mask_decoder=fp32 (default: mask_decoder=fp16, the others int8)")
    p.add_argument("--name", help="manifest name (default: the fp32 name + '-int8')")
    args = p.parse_args(argv)
    try:
        report = quantize_model(args.model, args.out, parse_plan(args.graphs), args.name)
    except QuantizeError as e:
        print(f"quantize_int8: {e}", file=sys.stderr)
        return 2
    print(json.dumps({"out": args.out, "graphs": report}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
