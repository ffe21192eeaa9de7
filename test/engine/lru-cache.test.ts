import { LruCache } from '../../extension/src/engine/cache/lru-cache';
import { EncoderCache } from '../../extension/src/engine/cache/encoder-cache';
import { slicesAround } from '../../extension/src/engine/cache/prefetch-order';

describe('LruCache', () => {
  it('evicts the least recently used entries once the byte budget is exceeded', () => {
    const c = new LruCache<number[]>(10, (v) => v.length);
    c.set('a', [1, 2, 3, 4]);
    c.set('b', [1, 2, 3, 4]);
    expect(c.get('a')).toBeDefined(); // a is now more recent than b
    c.set('c', [1, 2, 3, 4]);
    expect(c.has('b')).toBe(false);
    expect(c.has('a')).toBe(true);
    expect(c.stats()).toMatchObject({ entries: 2, bytes: 8, evictions: 1 });
  });

  it('never caches a value larger than the whole budget', () => {
    const c = new LruCache<number[]>(3, (v) => v.length);
    c.set('big', [1, 2, 3, 4]);
    expect(c.has('big')).toBe(false);
    expect(c.stats().bytes).toBe(0);
  });
});

describe('EncoderCache', () => {
  it('computes each key once even when asked concurrently', async () => {
    const cache = new EncoderCache(1e9);
    let calls = 0;
    const t = { data: new Float32Array(4), dims: [1, 1, 2, 2] };
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return { visionFeats: t, visionPos: t, highRes0: t, highRes1: t };
    };
    const [a, b] = await Promise.all([cache.getOrCompute('k', compute), cache.getOrCompute('k', compute)]);
    expect(a).toBe(b);
    expect(calls).toBe(1);
    await cache.getOrCompute('k', compute);
    expect(calls).toBe(1);
  });

  it('does not cache a failed computation', async () => {
    const cache = new EncoderCache(1e9);
    await expect(cache.getOrCompute('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(cache.stats().entries).toBe(0);
  });

  it('has room for one more entry of the cached size until the next would evict', async () => {
    const t = { data: new Float32Array(4), dims: [1, 1, 2, 2] };
    const features = async () => ({ visionFeats: t, visionPos: t, highRes0: t, highRes1: t });
    const cache = new EncoderCache(64 * 2.5); // 64 bytes per entry: two fit
    expect(cache.hasRoom()).toBe(true);
    await cache.getOrCompute('a', features);
    expect(cache.hasRoom()).toBe(true);
    expect(cache.has('a')).toBe(true);
    await cache.getOrCompute('b', features);
    expect(cache.hasRoom()).toBe(false);
    expect(cache.stats().evictions).toBe(0);
  });
});

describe('slicesAround', () => {
  it('orders the slice in view first, then its neighbours outwards, inside the volume', () => {
    expect(slicesAround(5, 2, 20)).toEqual([5, 4, 6, 3, 7]);
    expect(slicesAround(0, 2, 20)).toEqual([0, 1, 2]);
    expect(slicesAround(19, 1, 20)).toEqual([19, 18]);
    expect(slicesAround(3, 0, 20)).toEqual([3]);
    expect(slicesAround(20, 2, 20)).toEqual([]);
  });
});
