/**
 * Seeded pseudo-random generator for the resampling draw of Eq. 5, so a propagation run is
 * reproducible. mulberry32: 32 bits of state, one add and two multiply-xorshift rounds per draw —
 * plenty for drawing a handful of memories per frame, and its whole state is one integer, which
 * makes `clone()` (restarting propagation from a checkpoint) exact.
 */

export interface Rng {
  /** Next number, uniform in [0, 1). */
  next(): number;
  /** A generator in the same state: both continue with the same sequence, independently. */
  clone(): Rng;
}

const GOLDEN_GAMMA = 0x9e3779b9;

/** splitmix32-style finaliser: spreads every input bit over the output. */
function mix32(x: number): number {
  let z = (x + GOLDEN_GAMMA) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/**
 * Any finite number is a valid seed: its float64 bits are hashed to the 32-bit state, so 1, 2**40
 * and 0.5 all give distinct streams (a plain `seed >>> 0` would map 2**32 to 0 and 0.5 to 0).
 */
function seedToState(seed: number): number {
  const bits = new DataView(new ArrayBuffer(8));
  bits.setFloat64(0, seed === 0 ? 0 : seed); // -0 and 0 are the same seed
  return mix32(bits.getUint32(0) ^ mix32(bits.getUint32(4)));
}

class Mulberry32 implements Rng {
  constructor(private state: number) {}

  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = Math.imul(this.state ^ (this.state >>> 15), this.state | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  clone(): Rng {
    return new Mulberry32(this.state);
  }
}

export function createRng(seed: number): Rng {
  return new Mulberry32(seedToState(seed));
}
