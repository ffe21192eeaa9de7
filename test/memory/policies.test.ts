import { InputError } from '../../extension/src/engine/errors';
import {
  BANK_POLICY_NAMES,
  DEFAULT_BANK_OPTIONS,
  MemoryBank,
  describePolicy,
  validateBankOptions,
  type BankOptions,
  type BankPolicyName,
} from '../../extension/src/engine/memory';

describe('describePolicy (the paper’s three switches, Table 3)', () => {
  it.each<[BankPolicyName, boolean, boolean, boolean, boolean]>([
    ['sam2-fifo', false, false, false, false],
    ['paper', true, true, true, true],
    ['threshold-only', true, false, false, true],
    ['dissimilarity-only', false, true, false, true],
    ['resampling-only', false, false, true, true],
  ])('%s: threshold %s, dissimilarity %s, resampling %s, object gate %s', (policy, t, d, r, g) => {
    expect(describePolicy(policy)).toEqual({ threshold: t, dissimilarity: d, resampling: r, objectGate: g });
  });

  it('lists every policy', () => {
    expect([...BANK_POLICY_NAMES].sort()).toEqual(
      ['dissimilarity-only', 'paper', 'resampling-only', 'sam2-fifo', 'threshold-only'].sort(),
    );
  });
});

describe('DEFAULT_BANK_OPTIONS', () => {
  it("is the paper's policy with K = 6 (1 conditioning + 6 = SAM 2's 7 memories), c_thresh 0.5, cosine, seed 0", () => {
    expect(DEFAULT_BANK_OPTIONS).toEqual({
      policy: 'paper',
      capacity: 6,
      confidenceThreshold: 0.5,
      similarity: 'cosine',
      seed: 0,
    });
    expect(validateBankOptions({ ...DEFAULT_BANK_OPTIONS })).toEqual(DEFAULT_BANK_OPTIONS);
  });
});

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('invalid bank options', () => {
  const withOption = (patch: Record<string, unknown>): BankOptions =>
    ({ ...DEFAULT_BANK_OPTIONS, ...patch }) as BankOptions;

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['capacity 0', { capacity: 0 }, /capacity \(K\).*got 0/],
    ['capacity 2.5', { capacity: 2.5 }, /capacity \(K\).*got 2\.5/],
    ['capacity NaN', { capacity: NaN }, /capacity \(K\).*got NaN/],
    ['capacity as a string', { capacity: '6' }, /capacity \(K\).*got 6/],
    ['c_thresh below 0', { confidenceThreshold: -0.1 }, /confidenceThreshold \(c_thresh\).*got -0\.1/],
    ['c_thresh above 1', { confidenceThreshold: 1.5 }, /confidenceThreshold \(c_thresh\).*got 1\.5/],
    ['c_thresh NaN', { confidenceThreshold: NaN }, /confidenceThreshold \(c_thresh\).*got NaN/],
    ['seed Infinity', { seed: Infinity }, /seed.*got Infinity/],
    ['seed NaN', { seed: NaN }, /seed.*got NaN/],
    ['an unknown policy', { policy: 'lifo' }, /policy must be one of .*got "lifo"/],
    ['an unknown similarity', { similarity: 'dot' }, /similarity must be one of cosine.*got "dot"/],
  ])('%s → InputError(invalid-options) naming the option and value', (_, patch, message) => {
    const thrown = caught(() => new MemoryBank(withOption(patch)));
    expect(thrown).toBeInstanceOf(InputError);
    expect((thrown as InputError).kind).toBe('invalid-options');
    expect((thrown as InputError).message).toMatch(message);
  });

  it('accepts the boundaries c_thresh 0 and 1 and K = 1', () => {
    expect(() => new MemoryBank(withOption({ confidenceThreshold: 0 }))).not.toThrow();
    expect(() => new MemoryBank(withOption({ confidenceThreshold: 1 }))).not.toThrow();
    expect(() => new MemoryBank(withOption({ capacity: 1 }))).not.toThrow();
  });
});
