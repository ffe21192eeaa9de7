"""The four graphs of the engine's model contract (models/README.md) as PyTorch modules over a
SAM2Model. Input/output names and shapes are the contract's; everything that depends only on the
weights and the input size (positional encodings, RoPE tables) is computed once and baked in."""
from collections import OrderedDict
from typing import Dict, Tuple

import torch
from torch import nn
import torch.nn.functional as F

from .layers import sine_position_encoding_2d
from .model import HIDDEN_DIM, MEM_DIM, SAM2Model


class ImageEncoderGraph(nn.Module):
    """image [1,3,S,S] -> vision_feats, vision_pos [1,256,F,F], high_res_feats_0 [1,32,4F,4F],
    high_res_feats_1 [1,64,2F,2F] (the latter two through the decoder's conv_s0/conv_s1)."""

    inputs = ["image"]
    outputs = ["vision_feats", "vision_pos", "high_res_feats_0", "high_res_feats_1"]

    def __init__(self, model: SAM2Model):
        super().__init__()
        self.m = model
        grid = model.image_size // 4
        with torch.no_grad():
            self.register_buffer("trunk_pos", model.image_encoder.trunk.position_embedding(grid, grid))
        self.register_buffer("vision_pos", sine_position_encoding_2d(HIDDEN_DIM, model.feat_size,
                                                                     model.feat_size))

    def forward(self, image):
        fpn = self.m.image_encoder(image, self.trunk_pos)
        dec = self.m.sam_mask_decoder
        return fpn[2], self.vision_pos, dec.conv_s0(fpn[0]), dec.conv_s1(fpn[1])


class MemoryAttentionGraph(nn.Module):
    """curr, curr_pos [1,256,F,F]; memory, memory_pos [N,64,F,F] (memory_pos already carries the
    temporal encoding); obj_ptrs, obj_ptr_pos [P,256] (obj_ptr_pos = 1-D sine encoding of the
    normalised offset) -> pix_feat_with_mem [1,256,F,F]."""

    inputs = ["curr", "curr_pos", "memory", "memory_pos", "obj_ptrs", "obj_ptr_pos"]
    outputs = ["pix_feat_with_mem"]

    def __init__(self, model: SAM2Model):
        super().__init__()
        self.m = model
        # Registered here (persistent) so the export stores each table once as an initializer.
        self.register_buffer("rope_cos", model.memory_attention.rope_cos.clone())
        self.register_buffer("rope_sin", model.memory_attention.rope_sin.clone())

    def forward(self, curr, curr_pos, memory, memory_pos, obj_ptrs, obj_ptr_pos):
        b, c, h, w = curr.shape
        tokens = lambda x: x.flatten(2).permute(0, 2, 1)  # noqa: E731  [n,c,h,w] -> [n,hw,c]
        cur, cur_pos = tokens(curr), tokens(curr_pos)
        mem = tokens(memory).reshape(1, -1, MEM_DIM)  # memory-major, then row-major pixels
        mem_pos = tokens(memory_pos).reshape(1, -1, MEM_DIM)
        split = HIDDEN_DIM // MEM_DIM  # a 256-d pointer becomes 4 tokens of 64 (SAM 2, Cm < C)
        ptr = obj_ptrs.reshape(1, -1, MEM_DIM)
        if self.m.has_tpos_proj:
            ptr_pos = self.m.obj_ptr_tpos_proj(obj_ptr_pos)
        else:  # SAM 2.0: pointers carry no temporal encoding (the input is accepted and unused)
            ptr_pos = obj_ptr_pos[:, :MEM_DIM] * 0.0
        ptr_pos = ptr_pos.unsqueeze(1).expand(-1, split, MEM_DIM).reshape(1, -1, MEM_DIM)
        out = self.m.memory_attention(cur, cur_pos, mem, mem_pos, ptr, ptr_pos, self.rope_cos,
                                      self.rope_sin)
        return out.permute(0, 2, 1).reshape(b, c, h, w)


class MaskDecoderGraph(nn.Module):
    """Prompt encoder + mask decoder + object-pointer projection; all 4 mask planes."""

    inputs = ["image_embed", "high_res_feats_0", "high_res_feats_1", "point_coords",
              "point_labels", "mask_input", "has_mask_input"]
    outputs = ["low_res_masks", "iou_predictions", "obj_ptr", "object_score_logits"]

    def __init__(self, model: SAM2Model):
        super().__init__()
        self.m = model
        with torch.no_grad():
            self.register_buffer("image_pe", model.sam_prompt_encoder.dense_pe())

    def forward(self, image_embed, high_res_feats_0, high_res_feats_1, point_coords, point_labels,
                mask_input, has_mask_input):
        pe = self.m.sam_prompt_encoder
        sparse = pe.embed_points(point_coords, point_labels)
        dense = pe.embed_mask(mask_input, has_mask_input)
        masks, iou, mask_tokens, score = self.m.sam_mask_decoder(
            image_embed, self.image_pe, sparse, dense, (high_res_feats_0, high_res_feats_1))
        return masks, iou, self.m.obj_ptr_proj(mask_tokens), score


class MemoryEncoderGraph(nn.Module):
    """pix_feat [1,256,F,F] (raw vision_feats), mask_logits [1,1,L,L], object_score_logits [1,1],
    binarize_mask [1] -> maskmem_features, maskmem_pos_enc [1,64,F,F]. binarize_mask 1 encodes
    (upsampled logits > 0), 0 their sigmoid (SAM 2's binarize_mask_from_pts_for_mem_enc)."""

    inputs = ["pix_feat", "mask_logits", "object_score_logits", "binarize_mask"]
    outputs = ["maskmem_features", "maskmem_pos_enc"]

    def __init__(self, model: SAM2Model):
        super().__init__()
        self.m = model
        self.register_buffer("pos", sine_position_encoding_2d(MEM_DIM, model.feat_size,
                                                              model.feat_size))

    def forward(self, pix_feat, mask_logits, object_score_logits, binarize_mask):
        s = self.m.image_size
        v = self.m.variant
        high = F.interpolate(mask_logits, size=(s, s), mode="bilinear", align_corners=False)
        b = binarize_mask.reshape(1, 1, 1, 1)  # exactly 0 or 1: a blend that selects one branch
        mask = b * (high > 0).to(high.dtype) + (1 - b) * torch.sigmoid(high)
        mask = mask * v.sigmoid_scale_for_mem_enc + v.sigmoid_bias_for_mem_enc
        feats = self.m.memory_encoder(pix_feat, mask)
        absent = (object_score_logits <= 0).to(feats.dtype).reshape(-1, 1, 1, 1)
        if self.m.has_no_obj_embed_spatial:
            feats = feats + absent * self.m.no_obj_embed_spatial.reshape(1, MEM_DIM, 1, 1)
        else:  # SAM 2.0 has no such embedding (the input is accepted and unused)
            feats = feats + absent * 0.0
        return feats, self.pos


GRAPHS = OrderedDict([
    ("image_encoder", ImageEncoderGraph),
    ("memory_attention", MemoryAttentionGraph),
    ("mask_decoder", MaskDecoderGraph),
    ("memory_encoder", MemoryEncoderGraph),
])

# Axes the engine varies at run time: N memories, P pointers, P prompt points.
DYNAMIC_AXES: Dict[str, Dict[str, Dict[int, str]]] = {
    "image_encoder": {},
    "memory_attention": {"memory": {0: "N"}, "memory_pos": {0: "N"}, "obj_ptrs": {0: "P"},
                         "obj_ptr_pos": {0: "P"}},
    "mask_decoder": {"point_coords": {1: "P"}, "point_labels": {1: "P"}},
    "memory_encoder": {},
}


def example_inputs(graph: str, model: SAM2Model, n_mem: int = 2, n_ptr: int = 3,
                   n_points: int = 2, seed: int = 0) -> Tuple[torch.Tensor, ...]:
    """Plausible random inputs for tracing and parity checks."""
    g = torch.Generator().manual_seed(seed)
    s, f = model.image_size, model.feat_size
    r = lambda *shape: torch.randn(*shape, generator=g)  # noqa: E731
    if graph == "image_encoder":
        return (r(1, 3, s, s),)
    if graph == "memory_attention":
        return (r(1, HIDDEN_DIM, f, f), r(1, HIDDEN_DIM, f, f), r(n_mem, MEM_DIM, f, f),
                r(n_mem, MEM_DIM, f, f), r(n_ptr, HIDDEN_DIM), r(n_ptr, HIDDEN_DIM))
    if graph == "mask_decoder":
        coords = torch.rand(1, n_points, 2, generator=g) * s
        labels = torch.tensor([[float(i % 4) for i in range(n_points)]])
        return (r(1, HIDDEN_DIM, f, f), r(1, 32, 4 * f, 4 * f), r(1, 64, 2 * f, 2 * f), coords,
                labels, 4 * r(1, 1, 4 * f, 4 * f), torch.ones(1))
    if graph == "memory_encoder":
        return (r(1, HIDDEN_DIM, f, f), 8 * r(1, 1, 4 * f, 4 * f), r(1, 1), torch.zeros(1))
    raise KeyError(graph)
