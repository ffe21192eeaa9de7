"""Reference propagation loop: SAM 2's video predictor (sam2_video_predictor_legacy.py, the one
MedSAM2 ships and build_sam2_video_predictor configures) on the contract's four graphs, i.e. the
PyTorch modules of graphs.py that are exported. Used to produce reference tensors for the
TypeScript engine; checked frame by frame against the official predictor.

The session mirrors the official API: add_points (add_new_points_or_box), add_mask (add_new_mask),
propagate (propagate_in_video, forward or reverse, from the earliest conditioning frame or a given
start), reset (reset_state). Official semantics (models/README.md, "What the engine does"):
- a frame prompted before it was tracked is a conditioning frame predicted without memory; a click
  on a tracked frame corrects it: predicted with memory in the direction it was tracked, the
  previous logits (clamped to +-32) as mask input, kept non-conditioning, and (policy
  `corrected="keep"`, legacy predictor) not re-run by later propagations;
- memories of prompted frames are encoded at the next propagate from the hole-filled output,
  binarised; tracked frames' memories from the unfilled output, sigmoid;
- non-conditioning memories: the frames 1..numMaskmem-1 steps back in the tracking direction, at
  those exact positions, temporal row d-1; conditioning memories row numMaskmem-1;
- pointers: conditioning frames not in the future, then up to min(T,16)-1 steps back; offsets
  divided by min(T,16)-1, signed in the tracking direction (SAM 2.1; SAM 2.0 adds none).
Bank policies other than `sam2-fifo` (bank.py, the paper's) change only which non-conditioning
memories are attended: one bank per propagate call (directional pass), seeded like run-track.ts.
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
from .postprocess import (NO_OBJ_SCORE, PREV_LOGITS_CLAMP, choose_plane, fill_holes, mask_as_output,
                          mask_downsample)


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

    def count(self) -> int:
        """Points the multimask rule counts: a box's two corners plus the clicks."""
        return len(self.clicks) + (2 if self.box is not None else 0)


@dataclass
class Options:
    """The manifest's multimask / postprocessing blocks, plus the loop's named policies."""
    multimask_on_prompted: bool = True
    multimask_on_tracked: bool = True
    min_points: int = 0
    max_points: int = 1
    via_stability: bool = True
    stability_delta: float = 0.05
    stability_thresh: float = 0.98
    fill_hole_area: int = 8
    binarize_from_pts: bool = True
    mask_as_output: bool = True
    corrected: str = "keep"  # "keep" (legacy predictor, MedSAM2) | "rerun" (new predictor)

    @staticmethod
    def from_manifest(manifest: Dict, **policies) -> "Options":
        mm, pp = manifest["multimask"], manifest["postprocessing"]
        return Options(mm["onPromptedFrames"], mm["onTrackedFrames"], mm["minPoints"], mm["maxPoints"],
                       pp["multimaskViaStability"], pp["stabilityDelta"], pp["stabilityThresh"],
                       pp["fillHoleArea"], pp["binarizeMaskFromPtsForMemEnc"], pp["maskInputAsOutput"],
                       **policies)


def sine_encoding_f64(positions: List[float], dim: int) -> np.ndarray:
    """sine-encoding.ts: SAM 2's 1-D sine encoding evaluated in float64, stored as float32."""
    half = dim // 2
    dim_t = 10000.0 ** (2 * (np.arange(half) // 2) / half)
    p = np.asarray(positions, dtype=np.float64)[:, None] / dim_t
    return np.concatenate([np.sin(p), np.cos(p)], axis=1).astype(np.float32)


GraphCall = Callable[[str, Dict[str, torch.Tensor], Dict[str, torch.Tensor]], None]


class ReferenceSession:
    def __init__(self, model: SAM2Model, frames: np.ndarray, options: Options = Options(),
                 bank: BankOptions = BankOptions("sam2-fifo"), session_seed: int = 0,
                 record: Optional[GraphCall] = None):
        self.model, self.frames, self.opt = model, frames, options
        self.bank_options, self.session_seed, self.record = bank, session_seed, record
        self.graphs = {name: cls(model).eval() for name, cls in GRAPHS.items()}
        self.num_frames = frames.shape[0]
        self.num_maskmem = model.variant.num_maskmem
        self.max_ptrs = min(self.num_frames, model.variant.max_obj_ptrs)
        self.lowres = 4 * model.feat_size
        self.signed_ptrs = model.has_tpos_proj  # use_signed_tpos_enc_to_obj_ptrs (SAM 2.1)
        self.features: Dict[int, Dict[str, torch.Tensor]] = {}
        self.bank: Optional[Bank] = None
        self.reset()

    # -- official API -----------------------------------------------------------------------
    def reset(self) -> None:
        self.out = {"cond": {}, "non_cond": {}}
        self.temp = {"cond": {}, "non_cond": {}}
        self.consolidated = {"cond": set(), "non_cond": set()}
        self.tracked: Dict[int, bool] = {}  # frame -> tracked in reverse

    def add_points(self, frame: int, prompt: Prompt) -> Dict:
        init = frame not in self.tracked
        key = "cond" if init else "non_cond"
        prev = self.temp[key].get(frame) or self.out["cond"].get(frame) or self.out["non_cond"].get(frame)
        prev_logits = None if prev is None else prev["logits"].clamp(-PREV_LOGITS_CLAMP, PREV_LOGITS_CLAMP)
        out = self.run_frame(frame, init, prompt, None, self.tracked.get(frame, False), False, prev_logits)
        self.temp[key][frame] = out
        return out

    def add_mask(self, frame: int, mask: np.ndarray) -> Dict:
        init = frame not in self.tracked
        key = "cond" if init else "non_cond"
        m = torch.from_numpy(np.asarray(mask, dtype=np.float32)).reshape(1, 1, *mask.shape)
        out = self.run_frame(frame, init, None, m, self.tracked.get(frame, False), False, None)
        self.temp[key][frame] = out
        return out

    def propagate(self, reverse: bool = False, start: Optional[int] = None):
        """Yields (frame, output) in processing order, as propagate_in_video does."""
        self.preflight()
        if not self.out["cond"]:
            raise RuntimeError("no prompt: add points, a box or a mask first")
        start = min(self.out["cond"]) if start is None else start
        order = range(start, -1, -1) if reverse else range(start, self.num_frames)
        if reverse and start == 0:
            order = []
        direction = -1 if reverse else 1
        self.bank = (None if self.bank_options.policy == "sam2-fifo" else
                     Bank(BankOptions(self.bank_options.policy, self.bank_options.capacity,
                                      self.bank_options.confidence_threshold,
                                      run_seed(self.session_seed, start, direction))))
        for t in order:
            if t in self.consolidated["cond"]:
                out = self.out["cond"][t]
            elif t in self.consolidated["non_cond"] and self.opt.corrected == "keep":
                out = self.out["non_cond"][t]
                self.offer(out)
            else:
                out = self.run_frame(t, False, None, None, reverse, True, None)
                self.out["non_cond"][t] = out
                self.offer(out)
            self.tracked[t] = reverse
            yield t, out

    # -- the official internals -------------------------------------------------------------
    def preflight(self) -> None:
        """propagate_in_video_preflight: encode the prompted frames' memories (binarised, from the
        hole-filled output) and move them into the outputs."""
        for key in ("non_cond", "cond"):
            for t, out in self.temp[key].items():
                self.encode_memory(out, t, out["logits"], self.opt.binarize_from_pts)
                self.out[key][t] = out
                self.consolidated[key].add(t)
            self.temp[key].clear()
        for t in self.out["cond"]:
            self.out["non_cond"].pop(t, None)
            self.consolidated["non_cond"].discard(t)
        if self.opt.corrected == "rerun":
            self.consolidated["non_cond"].clear()

    def run_graph(self, name: str, **inputs: torch.Tensor) -> Dict[str, torch.Tensor]:
        module = self.graphs[name]
        with torch.no_grad():
            out = module(*[inputs[n] for n in module.inputs])
        outputs = dict(zip(module.outputs, (out,) if torch.is_tensor(out) else out))
        if self.record:
            self.record(name, inputs, outputs)
        return outputs

    def encode(self, t: int) -> Dict[str, torch.Tensor]:
        if t not in self.features:
            g = torch.from_numpy(self.frames[t].astype(np.float32))
            mean = torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1)
            std = torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1)
            image = (g.reshape(1, 1, *g.shape).expand(1, 3, *g.shape) - mean) / std
            self.features[t] = self.run_graph("image_encoder", image=image)
        return self.features[t]

    def decode(self, enc, pix, prompt: Optional[Prompt], mask_input: Optional[torch.Tensor]):
        coords, labels = prompt.points() if prompt is not None else (torch.zeros(1, 1, 2), -torch.ones(1, 1))
        has = mask_input is not None
        return self.run_graph(
            "mask_decoder", image_embed=pix, high_res_feats_0=enc["high_res_feats_0"],
            high_res_feats_1=enc["high_res_feats_1"], point_coords=coords, point_labels=labels,
            mask_input=mask_input if has else torch.zeros(1, 1, self.lowres, self.lowres),
            has_mask_input=torch.ones(1) if has else torch.zeros(1))

    def run_frame(self, t: int, init: bool, prompt: Optional[Prompt], mask: Optional[torch.Tensor],
                  reverse: bool, run_mem: bool, prev_logits: Optional[torch.Tensor]) -> Dict:
        """_run_single_frame_inference -> track_step."""
        enc, model, opt = self.encode(t), self.model, self.opt
        no_obj_ptr = model.no_obj_ptr.detach().reshape(-1)
        attended, pointers = [], []
        if mask is not None and opt.mask_as_output:  # _use_mask_as_output
            logits, score = mask_as_output(mask, self.lowres)
            down = mask_downsample(mask, model.mask_downsample.weight.detach(),
                                   float(model.mask_downsample.bias.detach()))
            dec = self.decode(enc, enc["vision_feats"], None, down)
            ptr = dec["obj_ptr"][0, 0]
            if float(dec["object_score_logits"]) <= 0:  # the decoder call's own gating
                ptr = no_obj_ptr
            if score <= 0:
                ptr = no_obj_ptr
            iou, plane, ptr_plane, pix = 1.0, -1, 0, enc["vision_feats"]
            raw = logits
        else:
            if init:
                pix = enc["vision_feats"] + model.no_mem_embed.detach().reshape(1, -1, 1, 1)
            else:
                memory, attended, pointers = self.assemble(t, reverse)
                pix = self.run_graph("memory_attention", curr=enc["vision_feats"], curr_pos=enc["vision_pos"],
                                     **memory)["pix_feat_with_mem"]
            if mask is not None:  # mask_input_as_output off: the mask as the decoder's mask prompt
                mask_input = F.interpolate(mask, size=(self.lowres, self.lowres), mode="bilinear",
                                           align_corners=False, antialias=True)
            else:
                mask_input = prev_logits if prompt is not None else None
            dec = self.decode(enc, pix, prompt, mask_input)
            n = prompt.count() if prompt is not None else 0  # _use_multimask
            multimask = (opt.multimask_on_prompted and (init or opt.multimask_on_tracked)
                         and opt.min_points <= n <= opt.max_points)
            plane, ptr_plane = choose_plane(dec["iou_predictions"], dec["low_res_masks"], multimask,
                                            opt.via_stability, opt.stability_delta, opt.stability_thresh)
            score = float(dec["object_score_logits"])
            raw = dec["low_res_masks"][:, plane: plane + 1]
            ptr = dec["obj_ptr"][0, ptr_plane]
            iou = float(dec["iou_predictions"][0, plane])
            if score <= 0:  # hard gating (pred_obj_scores, fixed_no_obj_ptr)
                raw = torch.full_like(raw, NO_OBJ_SCORE)
                ptr = no_obj_ptr
        out = {"frame": t, "logits": fill_holes(raw, opt.fill_hole_area), "score": score, "iou": iou,
               "plane": plane, "pointer_plane": ptr_plane, "obj_ptr": ptr, "pix": pix,
               "attended": attended, "pointers": pointers,
               "memory": None, "memory_pos": None}
        if run_mem:  # tracked frames: the unfilled output, binarised only when clicked
            self.encode_memory(out, t, raw, opt.binarize_from_pts and prompt is not None)
        return out

    def encode_memory(self, out: Dict, t: int, logits: torch.Tensor, binarize: bool) -> None:
        mem = self.run_graph("memory_encoder", pix_feat=self.encode(t)["vision_feats"], mask_logits=logits,
                             object_score_logits=torch.tensor([[out["score"]]]),
                             binarize_mask=torch.ones(1) if binarize else torch.zeros(1))
        out["memory"], out["memory_pos"] = mem["maskmem_features"], mem["maskmem_pos_enc"]

    def tpos(self, distance: int) -> torch.Tensor:
        """maskmem_tpos_enc row: numMaskmem-1 for conditioning memories (d = 0), else
        min(d, numMaskmem-1) - 1 (the official positions give d <= numMaskmem-1)."""
        row = self.num_maskmem - 1 if distance == 0 else min(distance, self.num_maskmem - 1) - 1
        return self.model.maskmem_tpos_enc[row].reshape(1, -1, 1, 1)

    def non_cond_memories(self, t: int, reverse: bool) -> List[Tuple[int, Dict]]:
        step = 1 if reverse else -1
        if self.bank is not None:  # a bank policy: its selection, attended at their distances
            entries = self.bank.select(self.encode(t)["vision_feats"].numpy().ravel()) if self.bank.entries else []
            return [(abs(t - e.payload["frame"]), e.payload) for e in entries]
        picked = []
        for t_rel in range(self.num_maskmem - 1, 0, -1):  # t_pos 1..numMaskmem-1, farthest first
            prev = self.out["non_cond"].get(t + step * t_rel)
            if prev is not None:
                picked.append((t_rel, prev))
        return picked

    def assemble(self, t: int, reverse: bool):
        """_prepare_memory_conditioned_features."""
        cond = sorted(self.out["cond"].items())
        spatial = [(0, o) for _, o in cond] + self.non_cond_memories(t, reverse)
        sign = -1 if reverse else 1
        ptrs = [((t - f) * sign if self.signed_ptrs else abs(t - f), o) for f, o in cond
                if (f >= t if reverse else f <= t)]
        for t_diff in range(1, self.max_ptrs):
            f = t + t_diff if reverse else t - t_diff
            if f < 0 or f >= self.num_frames:
                break
            o = self.out["non_cond"].get(f)
            if o is not None:
                ptrs.append((t_diff, o))
        t_diff_max = max(1, self.max_ptrs - 1)
        memory = {
            "memory": torch.cat([o["memory"] for _, o in spatial]),
            "memory_pos": torch.cat([o["memory_pos"] + self.tpos(d) for d, o in spatial]),
            "obj_ptrs": torch.stack([o["obj_ptr"] for _, o in ptrs]),
            "obj_ptr_pos": torch.from_numpy(sine_encoding_f64([p / t_diff_max for p, _ in ptrs], 256)),
        }
        return (memory, [{"frame": o["frame"], "distance": d} for d, o in spatial],
                [{"frame": o["frame"], "offset": p} for p, o in ptrs])

    def offer(self, out: Dict) -> None:
        if self.bank is None:
            return
        out["stored_in_bank"] = self.bank.offer(Entry(
            out["frame"], out["iou"], out["score"] > 0, key=out["memory"].numpy().ravel(),
            match_key=out["pix"].numpy().ravel(), payload=out))
        out["bank_after"] = [e.frame for e in self.bank.entries]
        out["resampling_probabilities"] = self.bank.last_probabilities
        out["bank_dissimilarity"] = self.bank.last_dissimilarity


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
