"""Parity cases: random inputs for each graph and the PyTorch outputs, written as raw little-endian
float32 files plus cases.json, for models/export/parity.ts to replay through onnxruntime."""
import json
import os
from typing import Dict, List, Tuple

import numpy as np
import torch

from .graphs import GRAPHS, example_inputs
from .model import SAM2Model


def write_tensor(out_dir: str, file: str, t: torch.Tensor) -> Dict:
    arr = t.detach().cpu().numpy().astype("<f4")
    arr.tofile(os.path.join(out_dir, file))
    return {"file": file, "shape": list(arr.shape)}


def case_inputs(graph: str, model: SAM2Model) -> List[Tuple[str, Tuple[torch.Tensor, ...]]]:
    """Several inputs per graph covering the dynamic axes and the branches the engine uses."""
    s = model.image_size
    if graph == "image_encoder":
        return [("random image", example_inputs(graph, model, seed=1))]
    if graph == "memory_attention":
        return [(f"N={n} P={p}", example_inputs(graph, model, n_mem=n, n_ptr=p, seed=10 + n))
                for n, p in [(1, 1), (3, 5), (7, 16)]]
    if graph == "mask_decoder":
        out = []
        base = example_inputs(graph, model, n_points=1, seed=20)
        tracked = base[:3] + (torch.zeros(1, 1, 2), -torch.ones(1, 1), torch.zeros_like(base[5]),
                              torch.zeros(1))
        out.append(("tracked frame (one padding point, no mask)", tracked))
        clicks = base[:3] + (torch.tensor([[[0.3 * s, 0.6 * s], [0.7 * s, 0.2 * s]]]),
                             torch.tensor([[1.0, 0.0]]), base[5], torch.ones(1))
        out.append(("include+exclude clicks with a mask prompt", clicks))
        box = base[:3] + (torch.tensor([[[0.1 * s, 0.2 * s], [0.8 * s, 0.9 * s], [0.5 * s, 0.5 * s]]]),
                          torch.tensor([[2.0, 3.0, 1.0]]), torch.zeros_like(base[5]), torch.zeros(1))
        out.append(("box + click", box))
        return out
    if graph == "memory_encoder":
        base = example_inputs(graph, model, seed=30)
        return [("object present", base[:2] + (torch.tensor([[2.5]]), torch.zeros(1))),
                ("object absent", base[:2] + (torch.tensor([[-3.0]]), torch.zeros(1))),
                ("binarized mask", base[:2] + (torch.tensor([[2.5]]), torch.ones(1)))]
    raise KeyError(graph)


def write_cases(model: SAM2Model, out_dir: str) -> Dict:
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    for graph, cls in GRAPHS.items():
        module = cls(model).eval()
        for i, (label, inputs) in enumerate(case_inputs(graph, model)):
            with torch.no_grad():
                outputs = module(*inputs)
            if torch.is_tensor(outputs):
                outputs = (outputs,)
            tag = f"{graph}.{i}"
            cases.append({
                "graph": graph,
                "label": label,
                "inputs": {n: write_tensor(out_dir, f"{tag}.in.{n}.bin", t)
                           for n, t in zip(module.inputs, inputs)},
                "outputs": {n: write_tensor(out_dir, f"{tag}.out.{n}.bin", t)
                            for n, t in zip(module.outputs, outputs)},
            })
    index = {"format": "medsam2-parity-cases", "formatVersion": 1, "variant": model.variant.name,
             "imageSize": model.image_size, "cases": cases}
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(index, f, indent=1)
    return index


def read_tensor(out_dir: str, entry: Dict) -> np.ndarray:
    return np.fromfile(os.path.join(out_dir, entry["file"]), dtype="<f4").reshape(entry["shape"])
