/**
 * The seeded fuzz corpus (test/dicom/fuzz/): real files mutated at test time, each read in a worker
 * with a time bound. Every outcome must be a volume consistent with the file's header or a typed
 * DicomError that names the file (and the tag) in DICOM terms, asked for no large allocation
 * first — never a generic error, never a hang.
 */
import { MUTATION_FAMILIES, fuzzCorpus } from './fuzz/corpus';
import { allocationBudget, messageProblems, runCorpus, tally, type Result } from './fuzz/run';

const describe1 = (r: Result): string => {
  const head = `${r.case.id} [${r.case.what}]`;
  if (r.type === 'generic') return `${head}: ${r.name}: ${r.message}`;
  if (r.type === 'hang') return `${head}: no answer within the time bound`;
  if (r.type === 'volume') return `${head}: ${r.problems.join('; ')}`;
  return `${head}: ${messageProblems(r).join(', ')}: ${r.message}`;
};

describe('DICOM reader fuzz corpus', () => {
  let results: Result[];
  beforeAll(async () => {
    results = await runCorpus(fuzzCorpus(), { workers: 2, timeoutMs: 10000 });
  }, 120000);

  it('has at least 500 cases over every mutation family, and both volumes and typed errors come out', () => {
    const t = tally(results);
    // Printed for the record (cases, volumes, typed errors by kind).
    console.log(`fuzz corpus: ${JSON.stringify(t)}`);
    expect(t.cases).toBeGreaterThanOrEqual(500);
    for (const family of MUTATION_FAMILIES) expect(t.byFamily[family]).toBeGreaterThan(0);
    expect(t.volumes).toBeGreaterThan(20);
    expect(Object.keys(t.typedByKind).length).toBeGreaterThanOrEqual(6);
  });

  it('no generic (untyped) errors', () => {
    expect(results.filter((r) => r.type === 'generic').map(describe1)).toEqual([]);
  });

  it('no hangs', () => {
    expect(results.filter((r) => r.type === 'hang').map(describe1)).toEqual([]);
  });

  it('every volume agrees with its header: dimensions, spacing, finite values, declared pixel data length', () => {
    expect(results.filter((r) => r.type === 'volume' && r.problems.length).map(describe1)).toEqual([]);
  });

  it('every typed error names the file (and the tag), in DICOM terms, "missing" only when absent', () => {
    expect(results.filter((r) => r.type === 'typed' && messageProblems(r).length).map(describe1)).toEqual([]);
  });

  it('no case asks for more memory than 1024× its bytes (≥ 32 MiB): size lies are refused before allocating', () => {
    const over = results.filter((r) => r.largest > allocationBudget(r.case));
    expect(over.map((r) => `${describe1(r)} (${(r.largest / 2 ** 20).toFixed(0)} MiB)`)).toEqual([]);
  });
});
