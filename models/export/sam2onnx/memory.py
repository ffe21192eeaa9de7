"""Memory encoder (mask + frame features -> a 64-d spatial memory) and memory attention (current
frame features cross-attending to spatial memories and object pointers, with axial RoPE), as in
SAM 2. Parameter names follow the official state dict (`memory_encoder.*`, `memory_attention.*`)."""
import math
import torch
from torch import nn

from .layers import Attention, LayerNorm2d, apply_rope, attention, axial_rope_tables


class MaskDownSampler(nn.Module):
    """Stride-2 3x3 convs (1 -> 4 -> 16 -> 64 -> 256 channels) until stride 16, then a 1x1 conv."""

    def __init__(self, embed_dim: int = 256, kernel_size: int = 3, stride: int = 2, padding: int = 1,
                 total_stride: int = 16):
        super().__init__()
        num_layers = int(math.log2(total_stride) // math.log2(stride))
        layers = []
        cin = 1
        for _ in range(num_layers):
            cout = cin * stride ** 2
            layers += [nn.Conv2d(cin, cout, kernel_size, stride, padding), LayerNorm2d(cout), nn.GELU()]
            cin = cout
        layers.append(nn.Conv2d(cin, embed_dim, kernel_size=1))
        self.encoder = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)


class CXBlock(nn.Module):
    """ConvNeXt block: depthwise 7x7 conv, LayerNorm, MLP x4, layer scale `gamma`, residual."""

    def __init__(self, dim: int = 256, kernel_size: int = 7, padding: int = 3):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, kernel_size=kernel_size, padding=padding, groups=dim)
        self.norm = LayerNorm2d(dim, eps=1e-6)
        self.pwconv1 = nn.Linear(dim, 4 * dim)
        self.act = nn.GELU()
        self.pwconv2 = nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(1e-6 * torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.norm(self.dwconv(x)).permute(0, 2, 3, 1)
        y = self.gamma * self.pwconv2(self.act(self.pwconv1(y)))
        return x + y.permute(0, 3, 1, 2)


class Fuser(nn.Module):
    def __init__(self, dim: int, num_layers: int):
        super().__init__()
        self.layers = nn.ModuleList(CXBlock(dim) for _ in range(num_layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class MemoryEncoder(nn.Module):
    def __init__(self, in_dim: int = 256, out_dim: int = 64, fuser_layers: int = 2):
        super().__init__()
        self.mask_downsampler = MaskDownSampler(in_dim)
        self.pix_feat_proj = nn.Conv2d(in_dim, in_dim, kernel_size=1)
        self.fuser = Fuser(in_dim, fuser_layers)
        self.out_proj = nn.Conv2d(in_dim, out_dim, kernel_size=1)

    def forward(self, pix_feat: torch.Tensor, mask_for_mem: torch.Tensor) -> torch.Tensor:
        """mask_for_mem is already sigmoid-ed and scaled (the caller does SAM 2's scale/bias)."""
        x = self.pix_feat_proj(pix_feat) + self.mask_downsampler(mask_for_mem)
        return self.out_proj(self.fuser(x))


class RoPEAttention(Attention):
    """Attention with axial rotary encoding of the queries and of the spatial keys (object-pointer
    keys are not rotated). The cos/sin tables of the feature grid are passed in (shared by all
    layers, so an exported graph holds them once); spatial keys of several memories reuse them."""

    def __init__(self, embedding_dim: int, num_heads: int = 1, kv_in_dim: int = None):
        super().__init__(embedding_dim, num_heads, 1, kv_in_dim)

    def forward(self, q: torch.Tensor, k_rope: torch.Tensor, v_rope: torch.Tensor,
                cos: torch.Tensor, sin: torch.Tensor,
                k_plain: torch.Tensor = None, v_plain: torch.Tensor = None) -> torch.Tensor:
        q = apply_rope(self.split_heads(self.q_proj(q)), cos, sin)
        k = apply_rope(self.split_heads(self.k_proj(k_rope)), cos, sin)
        v = self.split_heads(self.v_proj(v_rope))
        if k_plain is not None:
            k = torch.cat([k, self.split_heads(self.k_proj(k_plain))], dim=2)
            v = torch.cat([v, self.split_heads(self.v_proj(v_plain))], dim=2)
        return self.out_proj(self.merge_heads(attention(q, k, v)))


class MemoryAttentionLayer(nn.Module):
    """Pre-norm: self-attention (no positional encoding added), cross-attention with positional
    encodings on the keys only, ReLU feed-forward."""

    def __init__(self, d_model: int = 256, dim_feedforward: int = 2048, kv_dim: int = 64,
                 num_heads: int = 1):
        super().__init__()
        self.self_attn = RoPEAttention(d_model, num_heads)
        self.cross_attn_image = RoPEAttention(d_model, num_heads, kv_in_dim=kv_dim)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.norm3 = nn.LayerNorm(d_model)

    def forward(self, tgt, memory, memory_pos, ptr, ptr_pos, cos, sin):
        t = self.norm1(tgt)
        tgt = tgt + self.self_attn(t, t, t, cos, sin)
        t = self.norm2(tgt)
        tgt = tgt + self.cross_attn_image(t, memory + memory_pos, memory, cos, sin,
                                          ptr + ptr_pos, ptr)
        t = self.norm3(tgt)
        return tgt + self.linear2(torch.relu(self.linear1(t)))


class MemoryAttention(nn.Module):
    def __init__(self, d_model: int = 256, num_layers: int = 4, dim_feedforward: int = 2048,
                 kv_dim: int = 64):
        super().__init__()
        self.d_model = d_model
        self.layers = nn.ModuleList(
            MemoryAttentionLayer(d_model, dim_feedforward, kv_dim) for _ in range(num_layers))
        self.norm = nn.LayerNorm(d_model)
        self.head_dim = d_model  # one head (SAM 2's memory attention)
        self.register_buffer("rope_cos", torch.zeros(0), persistent=False)
        self.register_buffer("rope_sin", torch.zeros(0), persistent=False)

    def set_grid(self, size: int) -> None:
        """RoPE tables for an F x F grid (not in the state dict: they depend only on F)."""
        self.rope_cos, self.rope_sin = axial_rope_tables(self.head_dim, size, size)

    def forward(self, curr, curr_pos, memory, memory_pos, ptr, ptr_pos, cos=None,
                sin=None) -> torch.Tensor:
        """Token tensors, batch first: curr/curr_pos [1, HW, 256]; memory/memory_pos [1, N·HW, 64]
        (memory-major); ptr/ptr_pos [1, 4P, 64]. Returns [1, HW, 256]. cos/sin override the RoPE
        tables (the export passes them as one shared initializer)."""
        cos = self.rope_cos if cos is None else cos
        sin = self.rope_sin if sin is None else sin
        out = curr + 0.1 * curr_pos
        for layer in self.layers:
            out = layer(out, memory, memory_pos, ptr, ptr_pos, cos, sin)
        return self.norm(out)

