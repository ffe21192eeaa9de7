import { largestComponent } from '../../extension/src/engine/volume/largest-component';

const at = (x: number, y: number, z: number) => x + 4 * (y + 4 * z);

describe('largestComponent (MedSAM2 getLargestCC: 26-connected)', () => {
  it('keeps the biggest component and drops the others', () => {
    const m = new Uint8Array(64);
    for (const [x, y, z] of [
      [0, 0, 0],
      [1, 0, 0],
      [1, 1, 0],
    ])
      m[at(x, y, z)] = 1;
    m[at(3, 3, 3)] = 1;
    const out = largestComponent(m, [4, 4, 4]);
    expect([...out.keys()].filter((i) => out[i])).toEqual([at(0, 0, 0), at(1, 0, 0), at(1, 1, 0)]);
  });

  it('counts corner neighbours (26-connectivity) as connected', () => {
    const m = new Uint8Array(64);
    m[at(0, 0, 0)] = 1;
    m[at(1, 1, 1)] = 1;
    m[at(2, 2, 2)] = 1;
    m[at(0, 3, 3)] = 1;
    m[at(3, 0, 3)] = 1;
    const out = largestComponent(m, [4, 4, 4]);
    expect(out.reduce((a, v) => a + v, 0)).toBe(3);
    expect(out[at(2, 2, 2)]).toBe(1);
  });

  it('leaves an empty mask empty', () => {
    expect(largestComponent(new Uint8Array(8), [2, 2, 2]).every((v) => v === 0)).toBe(true);
  });
});
