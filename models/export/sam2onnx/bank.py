"""The memory-bank policies of the engine, in Python, for the reference loop: SAM 2's FIFO and the
paper's self-sorting bank (§3.2, Eq. 2-5) with its ablation switches. Mirrors
extension/src/engine/memory/ (memory-bank.ts, policies.ts, dissimilarity.ts, resampling.ts, rng.ts,
similarity.ts): same seeded generator bit for bit, same tie-breaks, so a TypeScript run can be
compared draw by draw. Entries carry two vectors as in the engine: `key` (Eq. 2, compared between
entries) and `match_key` (Eq. 4, compared with the current frame's query).
"""
import math
import struct
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

M32 = 0xFFFFFFFF

SWITCHES = {
    # policy: (threshold, dissimilarity, resampling, objectGate)
    "sam2-fifo": (False, False, False, False),
    "paper": (True, True, True, True),
    "threshold-only": (True, False, False, True),
    "dissimilarity-only": (False, True, False, True),
    "resampling-only": (False, False, True, True),
}


def _mix32(x: int) -> int:
    z = (x + 0x9E3779B9) & M32
    z = ((z ^ (z >> 16)) * 0x21F0AAAD) & M32
    z = ((z ^ (z >> 15)) * 0x735A2D97) & M32
    return z ^ (z >> 15)


class Mulberry32:
    """rng.ts: the seed's float64 bits hashed to a 32-bit state, mulberry32 steps."""

    def __init__(self, seed: float):
        hi, lo = struct.unpack(">II", struct.pack(">d", 0.0 if seed == 0 else float(seed)))
        self.state = _mix32(hi ^ _mix32(lo))

    def next(self) -> float:
        self.state = (self.state + 0x6D2B79F5) & M32
        s = self.state
        t = ((s ^ (s >> 15)) * (s | 1)) & M32
        t = ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296.0


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """similarity.ts: float64 accumulation, 0 for a zero vector, clamped to [-1, 1]."""
    a64, b64 = a.astype(np.float64).ravel(), b.astype(np.float64).ravel()
    na, nb = float(a64 @ a64), float(b64 @ b64)
    if na == 0 or nb == 0:
        return 0.0
    return max(-1.0, min(1.0, float(a64 @ b64) / math.sqrt(na * nb)))


def _js_round(x: float) -> int:
    return math.floor(x + 0.5)


@dataclass
class Entry:
    frame: int
    confidence: float
    object_present: bool
    key: np.ndarray = field(repr=False)
    match_key: np.ndarray = field(repr=False)
    payload: object = field(repr=False, default=None)
    sequence: int = -1


@dataclass
class BankOptions:
    policy: str = "paper"
    capacity: int = 6
    confidence_threshold: float = 0.5
    seed: float = 0


def run_seed(seed: int, origin: int, direction: int) -> int:
    """run-track.ts runSeed: each run's bank is seeded from the session seed, origin and direction."""
    s32 = int(seed) & M32
    mixed = ((s32 ^ 0x9E3779B9) * 31) & M32
    return (mixed + origin * 2 + (1 if direction > 0 else 0)) & M32


class Bank:
    """Non-conditioning memories of one run under one policy (memory-bank.ts)."""

    def __init__(self, options: BankOptions):
        if options.policy not in SWITCHES:
            raise ValueError(f"unknown bank policy {options.policy!r}; known: {', '.join(SWITCHES)}")
        self.options = options
        self.threshold, self.dissimilarity, self.resampling, self.object_gate = SWITCHES[options.policy]
        self.entries: List[Entry] = []
        self.rng = Mulberry32(options.seed)
        self.next_sequence = 0
        self.last_dissimilarity: Optional[List[float]] = None
        self.last_probabilities: Optional[List[float]] = None

    def offer(self, entry: Entry) -> bool:
        """After a tracked frame: store its memory if the policy admits it. Returns whether stored."""
        self.last_dissimilarity = None
        if self.object_gate and not entry.object_present:
            return False
        if self.threshold and entry.confidence < self.options.confidence_threshold:
            return False
        entry.sequence = self.next_sequence
        self.next_sequence += 1
        candidates = self.entries + [entry]  # C = M u {E}
        k = self.options.capacity
        if not self.dissimilarity:
            self.entries = candidates[-k:]  # FIFO: the K most recently inserted
        else:  # Eq. 2-3
            d = [0.0] * len(candidates)
            for i in range(len(candidates)):
                for j in range(i + 1, len(candidates)):
                    dist = 1 - cosine(candidates[i].key, candidates[j].key)
                    d[i] += dist
                    d[j] += dist
            self.last_dissimilarity = d
            ranked = sorted(range(len(candidates)), key=lambda i: (
                -_js_round(d[i] * 1e9), -candidates[i].confidence, candidates[i].sequence))
            self.entries = [candidates[i] for i in sorted(ranked[:k])]
        return any(e is entry for e in self.entries)

    def select(self, query: np.ndarray) -> List[Entry]:
        """Memories to attend (repeats possible when resampled); called only on a non-empty bank."""
        self.last_probabilities = None
        if not self.resampling or not self.entries:
            return list(self.entries)
        weights = [max(0.0, cosine(query, e.match_key)) for e in self.entries]  # Eq. 4, clamped
        total = sum(weights)
        probs = [1 / len(weights)] * len(weights) if total == 0 else [w / total for w in weights]
        self.last_probabilities = probs
        cumulative, acc = [], 0.0
        for p in probs:
            acc += p
            cumulative.append(acc)
        last_positive = max(i for i, p in enumerate(probs) if p > 0)
        drawn = []
        for _ in range(self.options.capacity):  # Eq. 5: K draws with replacement
            u = self.rng.next() * acc
            idx = next((i for i, c in enumerate(cumulative) if u < c and probs[i] > 0), last_positive)
            drawn.append(self.entries[idx])
        return drawn
