"""Small building blocks shared by the SAM 2 modules.

Everything here is written so that it traces to ONNX opset 17 with PyTorch 1.13 and runs the same on
current PyTorch: attention is explicit (no F.scaled_dot_product_attention), rotary encodings are
real-valued (complex tensors do not export), positional encodings that depend only on the input size
are computed once as constants.
"""
import math
from typing import Tuple

import torch
from torch import nn


class MLP(nn.Module):
    """`num_layers` linear layers with an activation between them; parameters `layers.{i}.*`."""

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_layers: int,
                 activation=nn.ReLU, sigmoid_output: bool = False):
        super().__init__()
        hidden = [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(
            nn.Linear(n, k) for n, k in zip([input_dim] + hidden, hidden + [output_dim]))
        self.act = activation()
        self.sigmoid_output = sigmoid_output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x) if i == last else self.act(layer(x))
        return torch.sigmoid(x) if self.sigmoid_output else x


class LayerNorm2d(nn.Module):
    """LayerNorm over the channel axis of an NCHW tensor (per pixel), eps 1e-6."""

    def __init__(self, num_channels: int, eps: float = 1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(1, keepdim=True)
        var = (x - mean).pow(2).mean(1, keepdim=True)
        x = (x - mean) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """softmax(q kᵀ / sqrt(d)) v on [..., L, d] tensors, written out so it exports everywhere."""
    scale = 1.0 / math.sqrt(q.shape[-1])
    weights = torch.softmax(torch.matmul(q * scale, k.transpose(-2, -1)), dim=-1)
    return torch.matmul(weights, v)


class Attention(nn.Module):
    """SAM's attention: separate q/k/v/out projections, optional channel downsampling and a key/value
    input width different from the query width (memory attention reads 64-d memories)."""

    def __init__(self, embedding_dim: int, num_heads: int, downsample_rate: int = 1,
                 kv_in_dim: int = None):
        super().__init__()
        self.embedding_dim = embedding_dim
        self.kv_in_dim = kv_in_dim if kv_in_dim is not None else embedding_dim
        self.internal_dim = embedding_dim // downsample_rate
        self.num_heads = num_heads
        assert self.internal_dim % num_heads == 0, "num_heads must divide embedding_dim"
        self.q_proj = nn.Linear(embedding_dim, self.internal_dim)
        self.k_proj = nn.Linear(self.kv_in_dim, self.internal_dim)
        self.v_proj = nn.Linear(self.kv_in_dim, self.internal_dim)
        self.out_proj = nn.Linear(self.internal_dim, embedding_dim)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, n, c = x.shape
        return x.reshape(b, n, self.num_heads, c // self.num_heads).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        b, h, n, d = x.shape
        return x.transpose(1, 2).reshape(b, n, h * d)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        q = self.split_heads(self.q_proj(q))
        k = self.split_heads(self.k_proj(k))
        v = self.split_heads(self.v_proj(v))
        return self.out_proj(self.merge_heads(attention(q, k, v)))


def sine_position_encoding_2d(num_pos_feats: int, height: int, width: int,
                              temperature: float = 10000.0) -> torch.Tensor:
    """DETR-style normalised 2-D sine encoding used by SAM 2's neck and memory encoder:
    [1, num_pos_feats, H, W], first half encodes y, second half x; within each half even channels
    are sin and odd channels cos of position / temperature^(2·floor(i/2)/half)."""
    half = num_pos_feats // 2
    scale = 2 * math.pi
    eps = 1e-6
    y = torch.arange(1, height + 1, dtype=torch.float32)
    x = torch.arange(1, width + 1, dtype=torch.float32)
    y = y / (y[-1] + eps) * scale
    x = x / (x[-1] + eps) * scale
    dim_t = torch.arange(half, dtype=torch.float32)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / half)

    def encode(pos: torch.Tensor) -> torch.Tensor:  # [n] -> [n, half]
        p = pos[:, None] / dim_t
        return torch.stack((p[:, 0::2].sin(), p[:, 1::2].cos()), dim=2).flatten(1)

    pos_y = encode(y)[:, None, :].expand(height, width, half)
    pos_x = encode(x)[None, :, :].expand(height, width, half)
    return torch.cat((pos_y, pos_x), dim=2).permute(2, 0, 1).unsqueeze(0).contiguous()


def sine_encoding_1d(positions: torch.Tensor, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """SAM 2's 1-D sine encoding of (normalised) temporal offsets, used for object pointers:
    [..., dim] = [sin(pos / t_i) for i < dim/2, cos(pos / t_i) for i < dim/2] with
    t_i = temperature^(2·floor(i/2) / (dim/2))."""
    half = dim // 2
    dim_t = torch.arange(half, dtype=torch.float32)
    dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / half)
    p = positions.unsqueeze(-1) / dim_t
    return torch.cat([p.sin(), p.cos()], dim=-1)


def axial_rope_tables(head_dim: int, end_x: int, end_y: int,
                      theta: float = 10000.0) -> Tuple[torch.Tensor, torch.Tensor]:
    """Real-valued form of SAM 2's axial rotary encoding: cos and sin tables [end_x·end_y, head_dim/2].

    Pair i of a vector (elements 2i, 2i+1) is rotated by angle t·f_i where, for i < head_dim/4, t is the
    token's column and f_i = theta^(-4i/head_dim); for the other half t is its row (same f)."""
    freqs = 1.0 / (theta ** (torch.arange(0, head_dim, 4)[: head_dim // 4].float() / head_dim))
    t = torch.arange(end_x * end_y, dtype=torch.float32)
    t_x = t % end_x
    t_y = torch.div(t, end_x, rounding_mode="floor")
    angles = torch.cat([torch.outer(t_x, freqs), torch.outer(t_y, freqs)], dim=-1)
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate consecutive pairs of the last axis of x [B, h, L, d] by the tables [T, d/2]; when L is a
    multiple of T (several memories of the same grid) the tables repeat, as SAM 2's rope_k_repeat."""
    b, h, n, d = x.shape
    t = cos.shape[0]
    pairs = x.reshape(b, h, -1, t, d // 2, 2)
    x0, x1 = pairs[..., 0], pairs[..., 1]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return out.reshape(b, h, n, d)

