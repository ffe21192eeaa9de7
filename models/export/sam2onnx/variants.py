"""Architecture configurations of the checkpoints the export tool converts.

Numbers are those of the published SAM 2 / SAM 2.1 configs (sam2_hiera_{t,s,b+}.yaml and
sam2.1_hiera_{t,s,b+}.yaml); MedSAM-2 (`MedSAM2_pretrain.pth`) is SAM 2.0 hiera-small (or tiny) at
1024 px, and the later MedSAM2 (2025) is SAM 2.1 hiera-tiny at 512 px. SAM 2.1 differs from 2.0 in
two learned pieces: `no_obj_embed_spatial` (added to the memory of frames without the object) and
`obj_ptr_tpos_proj` (temporal encoding of object pointers; 2.0 gives pointers no temporal encoding).
"""
from dataclasses import dataclass, field
from typing import Dict, Tuple


@dataclass(frozen=True)
class Variant:
    name: str
    sam21: bool  # SAM 2.1 family: no_obj_embed_spatial + projected pointer temporal encoding
    default_size: int
    embed_dim: int
    num_heads: int
    stages: Tuple[int, ...]
    global_att_blocks: Tuple[int, ...]
    window_spec: Tuple[int, ...] = (8, 4, 14, 7)
    pos_embed_bkg: Tuple[int, int] = (7, 7)
    memory_attention_layers: int = 4
    memory_attention_ffn: int = 2048
    decoder_mlp_dim: int = 2048
    fuser_layers: int = 2
    num_maskmem: int = 7
    max_obj_ptrs: int = 16
    sigmoid_scale_for_mem_enc: float = 20.0
    sigmoid_bias_for_mem_enc: float = -10.0
    # The video predictor's settings (sam2.1_hiera_*.yaml / sam2_hiera_*.yaml plus the overrides of
    # build_sam2_video_predictor, which MedSAM2's predictor uses too).
    multimask_via_stability: bool = True  # dynamic_multimask_via_stability
    stability_delta: float = 0.05  # dynamic_multimask_stability_delta
    stability_thresh: float = 0.98  # dynamic_multimask_stability_thresh
    fill_hole_area: int = 8  # fill_hole_area
    binarize_mask_from_pts_for_mem_enc: bool = True
    mask_input_as_output: bool = True  # use_mask_input_as_output_without_sam
    test_only: bool = False
    description: str = field(default="", compare=False)

    @property
    def backbone_channels(self) -> Tuple[int, ...]:
        """Channels of the trunk's stage outputs, lowest resolution first (neck conv order)."""
        return tuple(self.embed_dim * 2 ** i for i in range(len(self.stages)))[::-1]

    @property
    def size_multiple(self) -> int:
        """S must make the patch grid (S/4) a multiple of the first window and survive 3 poolings."""
        return max(32, 4 * self.window_spec[0])


HIERA_T = dict(embed_dim=96, num_heads=1, stages=(1, 2, 7, 2), global_att_blocks=(5, 7, 9))
HIERA_S = dict(embed_dim=96, num_heads=1, stages=(1, 2, 11, 2), global_att_blocks=(7, 10, 13))
HIERA_BP = dict(embed_dim=112, num_heads=2, stages=(2, 3, 16, 3), global_att_blocks=(12, 16, 20),
                pos_embed_bkg=(14, 14))

VARIANTS: Dict[str, Variant] = {v.name: v for v in [
    Variant("sam2.0-hiera-t", False, 1024, **HIERA_T,
            description="SAM 2 hiera-tiny (sam2_hiera_tiny.pt; MedSAM-2 tiny)"),
    Variant("sam2.0-hiera-s", False, 1024, **HIERA_S,
            description="SAM 2 hiera-small (sam2_hiera_small.pt; MedSAM-2 MedSAM2_pretrain.pth)"),
    Variant("sam2.0-hiera-b+", False, 1024, **HIERA_BP,
            description="SAM 2 hiera-base+ (sam2_hiera_base_plus.pt)"),
    Variant("sam2.1-hiera-t", True, 1024, **HIERA_T,
            description="SAM 2.1 hiera-tiny (sam2.1_hiera_tiny.pt)"),
    Variant("sam2.1-hiera-s", True, 1024, **HIERA_S,
            description="SAM 2.1 hiera-small (sam2.1_hiera_small.pt)"),
    Variant("sam2.1-hiera-b+", True, 1024, **HIERA_BP,
            description="SAM 2.1 hiera-base+ (sam2.1_hiera_base_plus.pt)"),
    Variant("medsam2-2025-t512", True, 512, **HIERA_T,
            description="MedSAM2 (2025) SAM 2.1 hiera-tiny at 512 px (MedSAM2_latest.pt)"),
    # Not a published checkpoint: the smallest model of the same contract, for fast tests. Keeps the
    # contract's widths (256 hidden, 64 memory) and every code path of the real ones (window padding,
    # global blocks, q-pooling, multi-head, SAM 2.1 pieces) at a fraction of the size.
    Variant("test-tiny", True, 128, embed_dim=16, num_heads=1, stages=(1, 1, 3, 1),
            global_att_blocks=(3,), window_spec=(4, 4, 6, 3), pos_embed_bkg=(4, 4),
            memory_attention_layers=2, memory_attention_ffn=256, decoder_mlp_dim=256,
            fuser_layers=1, test_only=True, description="test-only tiny SAM 2.1-style model"),
]}

REAL_VARIANTS = [name for name, v in VARIANTS.items() if not v.test_only]


class VariantError(ValueError):
    pass


def get_variant(name: str) -> Variant:
    if name not in VARIANTS:
        raise VariantError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
    return VARIANTS[name]


def check_size(variant: Variant, size: int) -> int:
    m = variant.size_multiple
    if not isinstance(size, int) or size < m or size % m != 0:
        raise VariantError(
            f"--size {size} does not fit {variant.name}: it must be a positive multiple of {m} "
            f"(the patch grid S/4 must tile the first {variant.window_spec[0]}x"
            f"{variant.window_spec[0]} window and survive three 2x poolings)")
    return size
