"""Reference propagation loop: SAM 2's video loop on the contract's four graphs (the PyTorch modules
of graphs.py, i.e. exactly what is exported), following the engine-side rules of models/README.md
and the engine's loop (extension/src/engine/propagation/): the prompted frame is predicted without
memory; the frames after it form one forward run whose every frame attends the conditioning memory
(d = 0) plus the bank's selection (d = max(1, |t - frame|)), and the object pointers of the
conditioning frame and of the maxObjPtrs - 1 most recent frames of the run, offsets
|t - frame| / (maxObjPtrs - 1). Bank: bank.py (memory-bank.ts), key = maskmem_features, match key =
pix_feat_with_mem, query = the current frame's vision_feats, seeded per run like run-track.ts.
Used only to produce reference tensors for the TypeScript engine.
"""
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .bank import Bank, BankOptions, Entry, run_seed
from .graphs import GRAPHS
from .model import SAM2Model
from .onnx_export import IMAGENET_MEAN, IMAGENET_STD

NO_OBJ_SCORE = -1024.0


@dataclass
class Prompt:
    """Clicks (x, y in model-input pixels, label 1 include / 0 exclude) and/or a box (x0, y0, x1, y1)."""
    clicks: List[Tuple[float, float, int]] = field(default_factory=list)
    box: Optional[Tuple[float, float, float, float]] = None

    def points(self) -> Tuple[torch.Tensor, torch.Tensor]:
        coords, labels = [], []
        if self.box is not None:  # a box is its two corners, labels 2 and 3, before any click
            coords += [[self.box[0], self.box[1]], [self.box[2], self.box[3]]]
            labels += [2.0, 3.0]
        for x, y, label in self.clicks:
            coords.append([x, y])
            labels.append(float(label))
        return torch.tensor([coords], dtype=torch.float32), torch.tensor([labels], dtype=torch.float32)


@dataclass
class Multimask:
    on_prompted: bool = True
    on_tracked: bool = True
    min_points: int = 0
    max_points: int = 1


def sine_encoding_f64(positions: List[float], dim: int) -> np.ndarray:
    """sine-encoding.ts: SAM 2's 1-D sine encoding evaluated in float64, stored as float32."""
    half = dim // 2
    dim_t = 10000.0 ** (2 * (np.arange(half) // 2) / half)
    p = np.asarray(positions, dtype=np.float64)[:, None] / dim_t
    return np.concatenate([np.sin(p), np.cos(p)], axis=1).astype(np.float32)


GraphCall = Callable[[str, Dict[str, torch.Tensor], Dict[str, torch.Tensor]], None]


class ReferenceLoop:
    def __init__(self, model: SAM2Model, bank: BankOptions, multimask: Multimask = Multimask(),
                 record: Optional[GraphCall] = None):
        self.model = model
        self.graphs = {name: cls(model).eval() for name, cls in GRAPHS.items()}
        self.bank_options = bank
        self.multimask = multimask
        self.record = record
        v = model.variant
        self.num_maskmem = v.num_maskmem
        self.max_obj_ptrs = v.max_obj_ptrs

    def run_graph(self, name: str, **inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        module = self.graphs[name]
        with torch.no_grad():
            out = module(*[inputs[n] for n in module.inputs])
        if torch.is_tensor(out):
            out = (out,)
        outputs = dict(zip(module.outputs, out))
        if self.record:
            self.record(name, inputs, outputs)
        return outputs

    def preprocess(self, gray: np.ndarray) -> torch.Tensor:
        """[S,S] intensities in [0,1] -> the contract's `image` (3 equal channels, ImageNet norm)."""
        g = torch.from_numpy(gray.astype(np.float32))
        mean = torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1)
        return (g.reshape(1, 1, *g.shape).expand(1, 3, *g.shape) - mean) / std

    def tpos(self, distance: int) -> torch.Tensor:
        """maskmem_tpos_enc[numMaskmem − 1 − min(d, numMaskmem − 1)], [1,64,1,1]; d = 0 for prompts."""
        i = self.num_maskmem - 1 - min(distance, self.num_maskmem - 1)
        return self.model.maskmem_tpos_enc[i].reshape(1, -1, 1, 1)

    def choose_plane(self, iou: torch.Tensor, prompt: Optional[Prompt]) -> int:
        if prompt is not None:
            clicks = len(prompt.clicks)  # a box counts as no click
            multi = self.multimask.on_prompted and (
                self.multimask.min_points <= clicks <= self.multimask.max_points)
        else:
            multi = self.multimask.on_tracked
        return 1 + int(torch.argmax(iou[0, 1:]).item()) if multi else 0

    def encode(self, frames: np.ndarray, t: int) -> Dict[str, torch.Tensor]:
        return self.run_graph("image_encoder", image=self.preprocess(frames[t]))

    def predict(self, t: int, enc: Dict[str, torch.Tensor], prompt: Optional[Prompt],
                memory: Optional[Dict[str, torch.Tensor]]) -> Dict:
        """One step (predict-frame.ts): memory attention or no_mem_embed, decoder, multimask choice,
        object gating, memory encoder."""
        model = self.model
        vision = enc["vision_feats"]
        if memory is not None:
            pix = self.run_graph("memory_attention", curr=vision, curr_pos=enc["vision_pos"],
                                 **memory)["pix_feat_with_mem"]
        else:  # no memory at all (a prompted frame)
            pix = vision + model.no_mem_embed.detach().reshape(1, -1, 1, 1)
        if prompt is not None:
            coords, labels = prompt.points()
        else:  # a tracked frame: one padding point
            coords, labels = torch.zeros(1, 1, 2), -torch.ones(1, 1)
        lowres = 4 * model.feat_size
        dec = self.run_graph(
            "mask_decoder", image_embed=pix, high_res_feats_0=enc["high_res_feats_0"],
            high_res_feats_1=enc["high_res_feats_1"], point_coords=coords, point_labels=labels,
            mask_input=torch.zeros(1, 1, lowres, lowres), has_mask_input=torch.zeros(1))
        plane = self.choose_plane(dec["iou_predictions"], prompt)
        score = dec["object_score_logits"]
        present = bool(score.item() > 0)
        logits = dec["low_res_masks"][:, plane: plane + 1]
        obj_ptr = dec["obj_ptr"][0, plane]
        if not present:  # hard gating (SAM 2's default)
            logits = torch.full_like(logits, NO_OBJ_SCORE)
            obj_ptr = model.no_obj_ptr.detach().reshape(-1)
        mem = self.run_graph("memory_encoder", pix_feat=vision, mask_logits=logits,
                             object_score_logits=score, binarize_mask=torch.zeros(1))
        return {"frame": t, "vision_feats": vision, "pix": pix, "plane": plane,
                "iou": dec["iou_predictions"][0], "score": float(score.item()), "present": present,
                "confidence": float(dec["iou_predictions"][0, plane]), "logits": logits,
                "obj_ptr": obj_ptr, "memory": mem["maskmem_features"], "memory_pos": mem["maskmem_pos_enc"]}

    def assemble(self, t: int, conditioning: List[Dict], selected: List[Dict],
                 recent: List[Dict]) -> Tuple[Dict[str, torch.Tensor], List[Dict], List[Dict]]:
        """memory-assembly.ts: conditioning memories (d = 0) then the selection; pointers of the
        conditioning frames then of the most recent frames (most recent first)."""
        spatial = [(s, 0) for s in conditioning] + [(s, max(1, abs(t - s["frame"]))) for s in selected]
        max_recent = max(0, self.max_obj_ptrs - len(conditioning))
        pointers = conditioning + recent[: min(max_recent, self.max_obj_ptrs - 1)]
        t_diff_max = max(1, self.max_obj_ptrs - 1)
        offsets = [abs(t - s["frame"]) / t_diff_max for s in pointers]
        memory = {
            "memory": torch.cat([s["memory"] for s, _ in spatial]),
            "memory_pos": torch.cat([s["memory_pos"] + self.tpos(d) for s, d in spatial]),
            "obj_ptrs": torch.stack([s["obj_ptr"] for s in pointers]),
            "obj_ptr_pos": torch.from_numpy(sine_encoding_f64(offsets, 256)),
        }
        return (memory, [{"frame": s["frame"], "distance": d} for s, d in spatial],
                [{"frame": s["frame"], "offset": abs(t - s["frame"])} for s in pointers])

    def propagate(self, frames: np.ndarray, prompt: Prompt, start: int = 0,
                  session_seed: int = 0) -> List[Dict]:
        """Predicts the prompted frame `start`, then the forward run start+1..T-1 (run-track.ts).
        Returns one record per frame."""
        cond_state = self.predict(start, self.encode(frames, start), prompt, None)
        records = [self.record_of(cond_state, True, [], [], None, None)]
        run_seed_value = run_seed(session_seed, start, 1)
        bank = Bank(BankOptions(self.bank_options.policy, self.bank_options.capacity,
                                self.bank_options.confidence_threshold, run_seed_value))
        recent: List[Dict] = []
        for t in range(start + 1, frames.shape[0]):
            enc = self.encode(frames, t)
            selection = bank.select(enc["vision_feats"].numpy().ravel()) if bank.entries else []
            drawn = [e.payload for e in selection]
            memory, attended, pointer_info = self.assemble(t, [cond_state], drawn, recent)
            state = self.predict(t, enc, None, memory)
            stored = bank.offer(Entry(t, state["confidence"], state["present"],
                                      key=state["memory"].numpy().ravel(),
                                      match_key=state["pix"].numpy().ravel(), payload=state))
            recent.insert(0, state)
            del recent[self.max_obj_ptrs:]
            records.append(self.record_of(state, False, attended, pointer_info, stored, bank))
        return records

    def record_of(self, state: Dict, prompted: bool, attended: List[Dict], pointers: List[Dict],
                  stored: Optional[bool], bank: Optional[Bank]) -> Dict:
        s = self.model.image_size
        high = F.interpolate(state["logits"], size=(s, s), mode="bilinear", align_corners=False)
        return {
            "frame": state["frame"], "prompted": prompted, "plane": state["plane"],
            "iou_predictions": state["iou"].tolist(), "object_score_logit": state["score"],
            "object_present": state["present"], "confidence": state["confidence"],
            "attended_memories": attended, "object_pointers": pointers,
            "resampling_probabilities": bank.last_probabilities if bank else None,
            "stored_in_bank": stored,
            "bank_after": [e.frame for e in bank.entries] if bank else [],
            "bank_dissimilarity": bank.last_dissimilarity if bank else None,
            "mask_logits": state["logits"][0, 0], "mask": (high[0, 0] > 0).float(),
            "obj_ptr": state["obj_ptr"], "pix_feat_with_mem": state["pix"][0],
            "maskmem_features": state["memory"][0],
        }


def synthetic_sequence(num_frames: int, size: int, seed: int = 0) -> Tuple[np.ndarray, List[Tuple[float, float, float]]]:
    """A bright disk drifting and growing over a shaded, noisy background: [T,S,S] in [0,1] and
    the disk (cx, cy, r) per frame in model pixels."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    frames, disks = [], []
    for t in range(num_frames):
        cx = size * (0.35 + 0.3 * t / max(1, num_frames - 1))
        cy = size * (0.45 + 0.1 * np.sin(t / 2))
        r = size * (0.14 + 0.04 * t / max(1, num_frames - 1))
        background = 0.15 + 0.2 * xx / size
        inside = ((xx - cx) ** 2 + (yy - cy) ** 2) <= r * r
        img = np.where(inside, 0.8, background) + rng.normal(0, 0.03, (size, size))
        frames.append(np.clip(img, 0, 1).astype(np.float32))
        disks.append((float(cx), float(cy), float(r)))
    return np.stack(frames), disks
