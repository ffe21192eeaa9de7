"""The official state-dict key list (name -> shape) of each variant, enumerated from the published
architecture description independently of the module code in this package. The committed lists
under models/export/expected_keys/ are written by this file (write_expected_keys.py); the tests check
that the module tree produces exactly them, so a real checkpoint loads with strict=True.

Sources of the layout (facts, re-derived here): SAM 2's Hiera (fused qkv Linear(dim, 3·dim_out),
proj Linear(dim_out, dim_out), MLP `layers.0/1` with ratio 4, a `proj` skip Linear at each stage
change, pos_embed [1,E,*bkg], pos_embed_window [1,E,w0,w0], patch_embed Conv 7x7/4), the FPN neck
(`convs.{i}.conv` 1x1 to 256, lowest resolution first), the SAM prompt encoder/mask decoder (with
SAM 2's obj_score_token, conv_s0/s1 and an MLP object-score head), the memory encoder (mask
downsampler Sequential of conv/LN2d/GELU x4 + 1x1 conv, pix_feat_proj, ConvNeXt fuser, out_proj to
64) and memory attention (RoPE self/cross attention, cross k/v from 64-d, FFN 2048, 3 norms per
layer, final norm), and SAM2Base's own parameters.
"""
from typing import List, Tuple

from .variants import Variant

Key = Tuple[str, Tuple[int, ...]]


def linear(prefix: str, n_in: int, n_out: int) -> List[Key]:
    return [(f"{prefix}.weight", (n_out, n_in)), (f"{prefix}.bias", (n_out,))]


def conv(prefix: str, c_in: int, c_out: int, k: int, groups: int = 1) -> List[Key]:
    return [(f"{prefix}.weight", (c_out, c_in // groups, k, k)), (f"{prefix}.bias", (c_out,))]


def conv_t(prefix: str, c_in: int, c_out: int, k: int) -> List[Key]:
    return [(f"{prefix}.weight", (c_in, c_out, k, k)), (f"{prefix}.bias", (c_out,))]


def norm(prefix: str, n: int) -> List[Key]:
    return [(f"{prefix}.weight", (n,)), (f"{prefix}.bias", (n,))]


def mlp(prefix: str, dims: List[int]) -> List[Key]:
    out = []
    for i in range(len(dims) - 1):
        out += linear(f"{prefix}.layers.{i}", dims[i], dims[i + 1])
    return out


def attn(prefix: str, dim: int, internal: int, kv_dim: int = None) -> List[Key]:
    kv = kv_dim or dim
    return (linear(f"{prefix}.q_proj", dim, internal) + linear(f"{prefix}.k_proj", kv, internal)
            + linear(f"{prefix}.v_proj", kv, internal) + linear(f"{prefix}.out_proj", internal, dim))


def trunk_keys(v: Variant) -> List[Key]:
    p = "image_encoder.trunk"
    e = v.embed_dim
    keys = conv(f"{p}.patch_embed.proj", 3, e, 7)
    keys += [(f"{p}.pos_embed", (1, e, *v.pos_embed_bkg)),
             (f"{p}.pos_embed_window", (1, e, v.window_spec[0], v.window_spec[0]))]
    stage_starts = {sum(v.stages[:i]) for i in range(1, len(v.stages))}
    dim = e
    for i in range(sum(v.stages)):
        dim_out = dim * 2 if i in stage_starts else dim
        b = f"{p}.blocks.{i}"
        keys += norm(f"{b}.norm1", dim)
        keys += linear(f"{b}.attn.qkv", dim, 3 * dim_out) + linear(f"{b}.attn.proj", dim_out, dim_out)
        keys += norm(f"{b}.norm2", dim_out)
        keys += mlp(f"{b}.mlp", [dim_out, 4 * dim_out, dim_out])
        if dim_out != dim:
            keys += linear(f"{b}.proj", dim, dim_out)
        dim = dim_out
    return keys


def neck_keys(v: Variant) -> List[Key]:
    chans = [v.embed_dim * 2 ** i for i in range(len(v.stages))][::-1]
    keys = []
    for i, c in enumerate(chans):
        keys += conv(f"image_encoder.neck.convs.{i}.conv", c, 256, 1)
    return keys


def memory_attention_keys(v: Variant) -> List[Key]:
    keys = []
    for i in range(v.memory_attention_layers):
        p = f"memory_attention.layers.{i}"
        keys += attn(f"{p}.self_attn", 256, 256)
        keys += attn(f"{p}.cross_attn_image", 256, 256, kv_dim=64)
        keys += linear(f"{p}.linear1", 256, v.memory_attention_ffn)
        keys += linear(f"{p}.linear2", v.memory_attention_ffn, 256)
        keys += norm(f"{p}.norm1", 256) + norm(f"{p}.norm2", 256) + norm(f"{p}.norm3", 256)
    return keys + norm("memory_attention.norm", 256)


def memory_encoder_keys(v: Variant) -> List[Key]:
    p = "memory_encoder"
    keys = []
    c_in = 1
    for layer in range(4):  # stride 2 per layer up to 16; Sequential index 3 per (conv, LN, GELU)
        c_out = c_in * 4
        keys += conv(f"{p}.mask_downsampler.encoder.{3 * layer}", c_in, c_out, 3)
        keys += norm(f"{p}.mask_downsampler.encoder.{3 * layer + 1}", c_out)
        c_in = c_out
    keys += conv(f"{p}.mask_downsampler.encoder.12", 256, 256, 1)
    keys += conv(f"{p}.pix_feat_proj", 256, 256, 1)
    for i in range(v.fuser_layers):
        f = f"{p}.fuser.layers.{i}"
        keys += conv(f"{f}.dwconv", 256, 256, 7, groups=256) + norm(f"{f}.norm", 256)
        keys += linear(f"{f}.pwconv1", 256, 1024) + linear(f"{f}.pwconv2", 1024, 256)
        keys += [(f"{f}.gamma", (256,))]
    return keys + conv(f"{p}.out_proj", 256, 64, 1)


def prompt_encoder_keys() -> List[Key]:
    p = "sam_prompt_encoder"
    keys = [(f"{p}.pe_layer.positional_encoding_gaussian_matrix", (2, 128))]
    keys += [(f"{p}.point_embeddings.{i}.weight", (1, 256)) for i in range(4)]
    keys += [(f"{p}.not_a_point_embed.weight", (1, 256))]
    keys += conv(f"{p}.mask_downscaling.0", 1, 4, 2) + norm(f"{p}.mask_downscaling.1", 4)
    keys += conv(f"{p}.mask_downscaling.3", 4, 16, 2) + norm(f"{p}.mask_downscaling.4", 16)
    keys += conv(f"{p}.mask_downscaling.6", 16, 256, 1)
    return keys + [(f"{p}.no_mask_embed.weight", (1, 256))]


def mask_decoder_keys(v: Variant) -> List[Key]:
    p = "sam_mask_decoder"
    t = f"{p}.transformer"
    keys = []
    for i in range(2):
        layer = f"{t}.layers.{i}"
        keys += attn(f"{layer}.self_attn", 256, 256) + norm(f"{layer}.norm1", 256)
        keys += attn(f"{layer}.cross_attn_token_to_image", 256, 128) + norm(f"{layer}.norm2", 256)
        keys += mlp(f"{layer}.mlp", [256, v.decoder_mlp_dim, 256]) + norm(f"{layer}.norm3", 256)
        keys += norm(f"{layer}.norm4", 256) + attn(f"{layer}.cross_attn_image_to_token", 256, 128)
    keys += attn(f"{t}.final_attn_token_to_image", 256, 128) + norm(f"{t}.norm_final_attn", 256)
    keys += [(f"{p}.iou_token.weight", (1, 256)), (f"{p}.mask_tokens.weight", (4, 256)),
             (f"{p}.obj_score_token.weight", (1, 256))]
    keys += conv_t(f"{p}.output_upscaling.0", 256, 64, 2) + norm(f"{p}.output_upscaling.1", 64)
    keys += conv_t(f"{p}.output_upscaling.3", 64, 32, 2)
    keys += conv(f"{p}.conv_s0", 256, 32, 1) + conv(f"{p}.conv_s1", 256, 64, 1)
    for i in range(4):
        keys += mlp(f"{p}.output_hypernetworks_mlps.{i}", [256, 256, 256, 32])
    keys += mlp(f"{p}.iou_prediction_head", [256, 256, 256, 4])
    keys += mlp(f"{p}.pred_obj_score_head", [256, 256, 256, 1])
    return keys


def base_keys(v: Variant) -> List[Key]:
    keys = [("maskmem_tpos_enc", (v.num_maskmem, 1, 1, 64)), ("no_mem_embed", (1, 1, 256)),
            ("no_mem_pos_enc", (1, 1, 256)), ("no_obj_ptr", (1, 256))]
    keys += conv("mask_downsample", 1, 1, 4)
    keys += mlp("obj_ptr_proj", [256, 256, 256, 256])
    if v.sam21:
        keys += [("no_obj_embed_spatial", (1, 64))] + linear("obj_ptr_tpos_proj", 256, 64)
    return keys


def expected_keys(v: Variant) -> List[Key]:
    keys = (trunk_keys(v) + neck_keys(v) + memory_attention_keys(v) + memory_encoder_keys(v)
            + prompt_encoder_keys() + mask_decoder_keys(v) + base_keys(v))
    return sorted(keys)


def format_keys(keys: List[Key]) -> str:
    return "".join(f"{name} {'x'.join(map(str, shape)) or 'scalar'}\n" for name, shape in keys)


def parse_keys(text: str) -> List[Key]:
    out = []
    for line in text.splitlines():
        if line.strip():
            name, shape = line.split()
            out.append((name, tuple(int(d) for d in shape.split("x"))))
    return out
