"""The SAM 2 model as a module tree whose state dict matches the official checkpoints', and the
learned constants the engine's loop needs."""
import torch
from torch import nn

from .hiera import FpnNeck, Hiera, ImageEncoder
from .layers import MLP
from .memory import MemoryAttention, MemoryEncoder
from .sam_heads import MaskDecoder, PromptEncoder, TwoWayTransformer
from .variants import Variant, check_size

HIDDEN_DIM = 256  # C of the contract
MEM_DIM = 64  # Cm of the contract
BACKBONE_STRIDE = 16


class SAM2Model(nn.Module):
    def __init__(self, variant: Variant, image_size: int):
        super().__init__()
        check_size(variant, image_size)
        self.variant = variant
        self.image_size = image_size
        self.feat_size = image_size // BACKBONE_STRIDE
        v = variant
        trunk = Hiera(v.embed_dim, v.num_heads, v.stages, v.global_att_blocks, v.window_spec,
                      v.pos_embed_bkg)
        neck = FpnNeck(v.backbone_channels, HIDDEN_DIM)
        self.image_encoder = ImageEncoder(trunk, neck)
        self.memory_attention = MemoryAttention(HIDDEN_DIM, v.memory_attention_layers,
                                                v.memory_attention_ffn, MEM_DIM)
        self.memory_attention.set_grid(self.feat_size)
        self.memory_encoder = MemoryEncoder(HIDDEN_DIM, MEM_DIM, v.fuser_layers)
        self.sam_prompt_encoder = PromptEncoder(HIDDEN_DIM, self.feat_size, image_size)
        self.sam_mask_decoder = MaskDecoder(
            HIDDEN_DIM, TwoWayTransformer(2, HIDDEN_DIM, 8, v.decoder_mlp_dim))
        self.obj_ptr_proj = MLP(HIDDEN_DIM, HIDDEN_DIM, HIDDEN_DIM, 3)
        if v.sam21:
            self.obj_ptr_tpos_proj = nn.Linear(HIDDEN_DIM, MEM_DIM)
        # Used by SAM 2 only when a mask is given as the sole prompt of a frame (mask taken as output);
        # not part of the contract's graphs, present so checkpoints load strictly.
        self.mask_downsample = nn.Conv2d(1, 1, kernel_size=4, stride=4)
        self.maskmem_tpos_enc = nn.Parameter(torch.zeros(v.num_maskmem, 1, 1, MEM_DIM))
        self.no_mem_embed = nn.Parameter(torch.zeros(1, 1, HIDDEN_DIM))
        self.no_mem_pos_enc = nn.Parameter(torch.zeros(1, 1, HIDDEN_DIM))
        self.no_obj_ptr = nn.Parameter(torch.zeros(1, HIDDEN_DIM))
        if v.sam21:
            self.no_obj_embed_spatial = nn.Parameter(torch.zeros(1, MEM_DIM))

    @property
    def has_tpos_proj(self) -> bool:
        return hasattr(self, "obj_ptr_tpos_proj")

    @property
    def has_no_obj_embed_spatial(self) -> bool:
        return hasattr(self, "no_obj_embed_spatial")

    def manifest_constants(self) -> dict:
        return {
            "no_mem_embed": self.no_mem_embed.detach().reshape(-1).tolist(),
            "no_mem_pos_enc": self.no_mem_pos_enc.detach().reshape(-1).tolist(),
            "maskmem_tpos_enc": self.maskmem_tpos_enc.detach().reshape(
                self.variant.num_maskmem, MEM_DIM).tolist(),
            "no_obj_ptr": self.no_obj_ptr.detach().reshape(-1).tolist(),
            # SAM 2's mask_downsample, Conv2d(1, 1, 4, stride 4): a mask prompt taken as the frame's
            # output is fed to the decoder through it (use_mask_input_as_output_without_sam).
            "mask_downsample": {
                "weight": self.mask_downsample.weight.detach().reshape(-1).tolist(),
                "bias": float(self.mask_downsample.bias.detach().reshape(-1)[0]),
            },
        }


# Parameters the official code initialises to zeros / constants; a random-init model draws them so
# every path (positional embeddings, layer scale, no-object embeddings) carries signal in tests.
def randomize(model: SAM2Model, seed: int) -> SAM2Model:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("pos_embed", "pos_embed_window") or name in (
                    "maskmem_tpos_enc", "no_mem_embed", "no_mem_pos_enc", "no_obj_ptr",
                    "no_obj_embed_spatial"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.02)
            elif leaf == "gamma":
                p.copy_(0.2 + 0.1 * torch.randn(p.shape, generator=g))
    return model


def build_model(variant: Variant, image_size: int, seed: int = 0) -> SAM2Model:
    """A model with deterministic random weights (PyTorch's default init under `seed`)."""
    torch.manual_seed(seed)
    model = SAM2Model(variant, image_size)
    return randomize(model, seed).eval()
