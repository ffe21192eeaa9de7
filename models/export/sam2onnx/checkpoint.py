"""Loading official checkpoints into the module tree, strictly, with errors that say what is wrong."""
import hashlib
import os
from typing import Dict, List

import torch

from .model import SAM2Model


class CheckpointError(ValueError):
    pass


def read_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The tensors of a SAM 2 / MedSAM-2 checkpoint: official files hold {"model": state_dict};
    some training scripts save {"state_dict": ...} or the bare dict, possibly with "module."."""
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint {path}: no such file")
    try:
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except TypeError:  # PyTorch without weights_only
            obj = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unpickling failure is a bad checkpoint file
        raise CheckpointError(f"checkpoint {path}: not a readable PyTorch checkpoint ({e})") from e
    if isinstance(obj, dict):
        for wrapper in ("model", "state_dict"):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict) or not obj or not all(
            isinstance(k, str) and torch.is_tensor(t) for k, t in obj.items()):
        raise CheckpointError(f"checkpoint {path}: holds no state dict of named tensors")
    if all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: t for k, t in obj.items()}
    return obj


def describe_checkpoint(sd: Dict[str, torch.Tensor]) -> str:
    """A hint at which variant a state dict is, from its trunk width/depth and SAM 2.1 keys."""
    try:
        width = sd["image_encoder.trunk.patch_embed.proj.weight"].shape[0]
        blocks = 1 + max(int(k.split(".")[3]) for k in sd if k.startswith("image_encoder.trunk.blocks."))
    except (KeyError, ValueError):
        return "not a SAM 2 image encoder"
    size = {(96, 12): "hiera-t", (96, 16): "hiera-s", (112, 24): "hiera-b+", (144, 48): "hiera-l"}.get(
        (width, blocks), f"hiera with width {width} and {blocks} blocks")
    family = "sam2.1" if "no_obj_embed_spatial" in sd else "sam2.0"
    return f"{family}-{size}"


def _first(names: List[str], n: int = 5) -> str:
    more = f" (+{len(names) - n} more)" if len(names) > n else ""
    return ", ".join(names[:n]) + more


def load_checkpoint(model: SAM2Model, path: str) -> str:
    """Loads with strict=True semantics; returns the file's sha256."""
    sd = read_state_dict(path)
    own = model.state_dict()
    missing = sorted(set(own) - set(sd))
    unexpected = sorted(set(sd) - set(own))
    shapes = sorted(f"{k} {tuple(sd[k].shape)} != {tuple(own[k].shape)}"
                    for k in set(sd) & set(own) if sd[k].shape != own[k].shape)
    if missing or unexpected or shapes:
        problems = []
        if missing:
            problems.append(f"missing keys: {_first(missing)}")
        if unexpected:
            problems.append(f"unexpected keys: {_first(unexpected)}")
        if shapes:
            problems.append(f"shape mismatches: {_first(shapes)}")
        raise CheckpointError(
            f"checkpoint {path} does not match variant {model.variant.name}: "
            f"{'; '.join(problems)}. The file looks like {describe_checkpoint(sd)}.")
    model.load_state_dict({k: t.float() for k, t in sd.items()}, strict=True)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
