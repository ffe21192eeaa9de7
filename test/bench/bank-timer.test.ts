import { MemoryBank } from '../../extension/src/engine/memory';
import { installBankTimer } from '../../extension/src/cli/bench-bank-timer';
import { memory, vec } from '../memory/helpers';

const OPTIONS = {
  policy: 'paper',
  capacity: 2,
  confidenceThreshold: 0.5,
  similarity: 'cosine',
  seed: 7,
} as const;

/** The same offers and selections on a fresh bank; returns what the bank decided. */
function exercise(): { offers: number[][]; draws: number[][] } {
  const bank = new MemoryBank<string>(OPTIONS);
  const offers: number[][] = [];
  const draws: number[][] = [];
  const keys = [vec(1, 0, 0), vec(0, 1, 0), vec(1, 1, 0), vec(0, 0, 1)];
  keys.forEach((key, frame) => {
    if (bank.size > 0) draws.push(bank.select(vec(1, 0.5, 0.2)).drawnFrames);
    offers.push(bank.offer(memory(frame, key)).evicted);
  });
  return { offers, draws };
}

describe('bench: memory bank timer', () => {
  it('counts every select and offer of every bank, with the given clock', () => {
    let tick = 0;
    const timer = installBankTimer(() => tick++);
    try {
      exercise(); // 4 offers + 3 selects, each read the clock twice (one tick apart)
      expect(timer.calls).toBe(7);
      expect(timer.ms).toBe(7);
      timer.reset();
      expect([timer.calls, timer.ms]).toEqual([0, 0]);
    } finally {
      timer.uninstall();
    }
  });

  it('leaves the bank’s decisions unchanged, and uninstall restores the original methods', () => {
    const { select, offer } = MemoryBank.prototype;
    const plain = exercise();
    const timer = installBankTimer();
    let timed: ReturnType<typeof exercise>;
    try {
      timed = exercise();
    } finally {
      timer.uninstall();
    }
    expect(timed).toEqual(plain);
    expect(MemoryBank.prototype.select).toBe(select);
    expect(MemoryBank.prototype.offer).toBe(offer);
  });

  it('refuses a second timer while one is installed', () => {
    const timer = installBankTimer();
    try {
      expect(() => installBankTimer()).toThrow('a bank timer is already installed');
    } finally {
      timer.uninstall();
    }
  });
});
