"""Image encoder: the Hiera backbone (hierarchical windowed ViT with query pooling between stages)
and the FPN neck, as in SAM 2. Parameter names follow the official state dict
(`image_encoder.trunk.*`, `image_encoder.neck.*`)."""
from typing import List, Sequence, Tuple

import torch
from torch import nn
import torch.nn.functional as F

from .layers import MLP, attention


def pool_nhwc(x: torch.Tensor, pool: nn.Module) -> torch.Tensor:
    """Apply an NCHW pooling module to an NHWC tensor."""
    if pool is None:
        return x
    return pool(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


def window_partition(x: torch.Tensor, window: int) -> Tuple[torch.Tensor, Tuple[int, int]]:
    """[B, H, W, C] -> [B·nWindows, window, window, C], zero-padding H and W up to multiples of the
    window (the padded tokens take part in attention, as in SAM 2)."""
    b, h, w, c = x.shape
    pad_h = (window - h % window) % window
    pad_w = (window - w % window) % window
    if pad_h or pad_w:
        x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
    hp, wp = h + pad_h, w + pad_w
    x = x.reshape(b, hp // window, window, wp // window, window, c)
    return x.permute(0, 1, 3, 2, 4, 5).reshape(-1, window, window, c), (hp, wp)


def window_unpartition(x: torch.Tensor, window: int, padded: Tuple[int, int],
                       size: Tuple[int, int]) -> torch.Tensor:
    hp, wp = padded
    h, w = size
    b = x.shape[0] // ((hp // window) * (wp // window))
    x = x.reshape(b, hp // window, wp // window, window, window, -1)
    x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, hp, wp, -1)
    return x[:, :h, :w, :]


class PatchEmbed(nn.Module):
    def __init__(self, embed_dim: int):
        super().__init__()
        self.proj = nn.Conv2d(3, embed_dim, kernel_size=7, stride=4, padding=3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).permute(0, 2, 3, 1)  # NHWC


class MultiScaleAttention(nn.Module):
    def __init__(self, dim: int, dim_out: int, num_heads: int, q_pool: nn.Module = None):
        super().__init__()
        self.num_heads = num_heads
        self.q_pool = q_pool
        self.qkv = nn.Linear(dim, dim_out * 3)
        self.proj = nn.Linear(dim_out, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, h, w, _ = x.shape
        qkv = self.qkv(x).reshape(b, h * w, 3, self.num_heads, -1)
        q, k, v = qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2]
        if self.q_pool is not None:  # stage change: pool the queries 2x2 inside each window
            q = pool_nhwc(q.reshape(b, h, w, -1), self.q_pool)
            h, w = q.shape[1], q.shape[2]
            q = q.reshape(b, h * w, self.num_heads, -1)
        x = attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return self.proj(x.transpose(1, 2).reshape(b, h, w, -1))


class MultiScaleBlock(nn.Module):
    def __init__(self, dim: int, dim_out: int, num_heads: int, q_stride: Tuple[int, int] = None,
                 window_size: int = 0, mlp_ratio: float = 4.0):
        super().__init__()
        self.dim, self.dim_out = dim, dim_out
        self.window_size = window_size
        self.q_stride = q_stride
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.pool = nn.MaxPool2d(kernel_size=q_stride, stride=q_stride) if q_stride else None
        self.attn = MultiScaleAttention(dim, dim_out, num_heads, q_pool=self.pool)
        self.norm2 = nn.LayerNorm(dim_out, eps=1e-6)
        self.mlp = MLP(dim_out, int(dim_out * mlp_ratio), dim_out, 2, activation=nn.GELU)
        if dim != dim_out:
            self.proj = nn.Linear(dim, dim_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        x = self.norm1(x)
        if self.dim != self.dim_out:  # the skip path is projected from the *normalised* input
            shortcut = pool_nhwc(self.proj(x), self.pool)
        h, w = x.shape[1], x.shape[2]
        window = self.window_size
        if window > 0:
            x, padded = window_partition(x, window)
        x = self.attn(x)
        if self.q_stride:
            window = self.window_size // self.q_stride[0]
            h, w = shortcut.shape[1], shortcut.shape[2]
            padded = (h + (window - h % window) % window, w + (window - w % window) % window)
        if self.window_size > 0:
            x = window_unpartition(x, window, padded, (h, w))
        x = shortcut + x
        return x + self.mlp(self.norm2(x))


class Hiera(nn.Module):
    def __init__(self, embed_dim: int, num_heads: int, stages: Sequence[int],
                 global_att_blocks: Sequence[int], window_spec: Sequence[int],
                 window_pos_embed_bkg_spatial_size: Tuple[int, int], q_pool: int = 3,
                 q_stride: Tuple[int, int] = (2, 2), dim_mul: float = 2.0, head_mul: float = 2.0):
        super().__init__()
        assert len(stages) == len(window_spec)
        self.window_spec = list(window_spec)
        self.stage_ends = [sum(stages[:i]) - 1 for i in range(1, len(stages) + 1)]
        q_pool_blocks = [end + 1 for end in self.stage_ends[:-1]][:q_pool]
        self.patch_embed = PatchEmbed(embed_dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, embed_dim, *window_pos_embed_bkg_spatial_size))
        self.pos_embed_window = nn.Parameter(
            torch.zeros(1, embed_dim, window_spec[0], window_spec[0]))
        self.blocks = nn.ModuleList()
        stage = 1
        for i in range(sum(stages)):
            dim_out = embed_dim
            # The first block of a stage still uses the previous stage's window (it pools inside it).
            window = 0 if i in global_att_blocks else window_spec[stage - 1]
            if i - 1 in self.stage_ends:
                dim_out = int(embed_dim * dim_mul)
                num_heads = int(num_heads * head_mul)
                stage += 1
            self.blocks.append(MultiScaleBlock(
                embed_dim, dim_out, num_heads,
                q_stride=q_stride if i in q_pool_blocks else None, window_size=window))
            embed_dim = dim_out

    def position_embedding(self, h: int, w: int) -> torch.Tensor:
        """Background embedding resized (bicubic) to the patch grid plus the tiled window embedding,
        NHWC. Depends only on the weights and the input size, so the export bakes it in."""
        pos = F.interpolate(self.pos_embed, size=(h, w), mode="bicubic", align_corners=False)
        win = self.pos_embed_window
        assert h % win.shape[2] == 0 and w % win.shape[3] == 0, \
            f"patch grid {h}x{w} is not a multiple of the first window {win.shape[2]}"
        pos = pos + win.repeat(1, 1, h // win.shape[2], w // win.shape[3])
        return pos.permute(0, 2, 3, 1)

    def forward(self, x: torch.Tensor, pos_embed: torch.Tensor = None) -> List[torch.Tensor]:
        x = self.patch_embed(x)
        if pos_embed is None:
            pos_embed = self.position_embedding(x.shape[1], x.shape[2])
        x = x + pos_embed
        outputs = []
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i in self.stage_ends:
                outputs.append(x.permute(0, 3, 1, 2))
        return outputs  # high resolution first


class ConvWrap(nn.Module):
    """`convs.{i}.conv.*`: the official neck wraps each lateral conv in a named Sequential."""

    def __init__(self, dim_in: int, dim_out: int):
        super().__init__()
        self.conv = nn.Conv2d(dim_in, dim_out, kernel_size=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x)


class FpnNeck(nn.Module):
    """1x1 lateral convs to d_model; top-down (nearest 2x) fusion only into `top_down_levels`."""

    def __init__(self, backbone_channel_list: Sequence[int], d_model: int = 256,
                 top_down_levels: Sequence[int] = (2, 3)):
        super().__init__()
        self.convs = nn.ModuleList(ConvWrap(c, d_model) for c in backbone_channel_list)
        self.top_down_levels = list(top_down_levels)
        self.d_model = d_model

    def forward(self, xs: List[torch.Tensor]) -> List[torch.Tensor]:
        n = len(self.convs) - 1
        out = [None] * len(self.convs)
        prev = None
        for i in range(n, -1, -1):
            lateral = self.convs[n - i](xs[i])
            if i in self.top_down_levels and prev is not None:
                prev = lateral + F.interpolate(prev, scale_factor=2.0, mode="nearest")
            else:
                prev = lateral
            out[i] = prev
        return out


class ImageEncoder(nn.Module):
    """Trunk + neck; the lowest-resolution level is dropped (scalp = 1), leaving strides 4, 8, 16."""

    def __init__(self, trunk: Hiera, neck: FpnNeck, scalp: int = 1):
        super().__init__()
        self.trunk = trunk
        self.neck = neck
        self.scalp = scalp

    def forward(self, image: torch.Tensor, pos_embed: torch.Tensor = None) -> List[torch.Tensor]:
        features = self.neck(self.trunk(image, pos_embed))
        return features[: len(features) - self.scalp]

