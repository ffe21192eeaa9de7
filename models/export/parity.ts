/**
 * Replays parity cases (inputs + PyTorch outputs written by `export.py --parity-cases DIR` or by the
 * reference loop) through an exported model folder with onnxruntime-node and reports the max abs
 * error per graph output. Also checks the folder against the contract: manifest sha256s and each
 * graph's input/output names.
 *
 *   npx tsx models/export/parity.ts <modelDir> <casesDir>
 *
 * Prints a JSON report; exits 1 when the folder breaks the contract (errors are for the caller to
 * judge: their bounds depend on fp32/fp16).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

import { GRAPH_NAMES, GRAPH_SIGNATURES, type GraphName } from '../../extension/src/engine/model/contract';

export type { GraphName };
export { GRAPH_NAMES };

/** Input and output names of each graph: the engine's own contract table (models/README.md). */
export const CONTRACT_NAMES = GRAPH_SIGNATURES;

export interface TensorEntry {
  file: string;
  shape: number[];
}

export interface ParityCase {
  graph: GraphName;
  label: string;
  inputs: Record<string, TensorEntry>;
  outputs: Record<string, TensorEntry>;
}

export interface OutputError {
  output: string;
  maxAbsError: number;
  /** Largest |expected| value: the scale the error is read against. */
  maxAbsExpected: number;
  /** maxAbsError / max(1, maxAbsExpected). */
  relError: number;
}

export interface CaseResult {
  graph: GraphName;
  label: string;
  errors: OutputError[];
}

export interface GraphSummary {
  precision: string;
  cases: number;
  maxAbsError: number;
  relError: number;
  /** The output with the largest relative error. */
  worstOutput: string;
}

export interface ParityReport {
  modelDir: string;
  contractProblems: string[];
  results: CaseResult[];
  summary: Partial<Record<GraphName, GraphSummary>>;
}

interface ManifestGraph {
  file: string;
  sha256: string;
  precision: string;
}

export function readTensor(dir: string, entry: TensorEntry): Float32Array {
  const buf = readFileSync(join(dir, entry.file));
  const expected = entry.shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength !== expected * 4) {
    throw new Error(
      `${entry.file}: ${buf.byteLength} bytes, shape ${entry.shape.join('x')} needs ${expected * 4}`,
    );
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

function readManifestGraphs(modelDir: string): Record<GraphName, ManifestGraph> {
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as {
    graphs: Record<GraphName, ManifestGraph>;
  };
  return manifest.graphs;
}

/** sha256 and input/output names of every graph against the manifest and the contract. */
export async function checkModelFolder(modelDir: string): Promise<string[]> {
  const problems: string[] = [];
  const graphs = readManifestGraphs(modelDir);
  for (const graph of GRAPH_NAMES) {
    const entry = graphs[graph];
    if (!entry) {
      problems.push(`manifest.json: graphs.${graph} is missing`);
      continue;
    }
    const bytes = readFileSync(join(modelDir, entry.file));
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== entry.sha256) problems.push(`${entry.file}: sha256 ${sha} != manifest ${entry.sha256}`);
    const session = await ort.InferenceSession.create(bytes);
    const want = CONTRACT_NAMES[graph];
    if (session.inputNames.join(',') !== want.inputs.join(',')) {
      problems.push(
        `${entry.file}: inputs [${session.inputNames.join(', ')}] != contract [${want.inputs.join(', ')}]`,
      );
    }
    if (session.outputNames.join(',') !== want.outputs.join(',')) {
      problems.push(
        `${entry.file}: outputs [${session.outputNames.join(', ')}] != contract [${want.outputs.join(', ')}]`,
      );
    }
    await session.release();
  }
  return problems;
}

export function compare(output: string, actual: Float32Array, expected: Float32Array): OutputError {
  if (actual.length !== expected.length) {
    throw new Error(`${output}: ${actual.length} values, expected ${expected.length}`);
  }
  let maxAbsError = 0;
  let maxAbsExpected = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]);
    // NaN anywhere must fail loudly, not vanish in a max().
    maxAbsError = Number.isNaN(e) ? Infinity : Math.max(maxAbsError, e);
    maxAbsExpected = Math.max(maxAbsExpected, Math.abs(expected[i]));
  }
  return { output, maxAbsError, maxAbsExpected, relError: maxAbsError / Math.max(1, maxAbsExpected) };
}

export async function runParity(modelDir: string, casesDir: string): Promise<ParityReport> {
  const contractProblems = await checkModelFolder(modelDir);
  const graphs = readManifestGraphs(modelDir);
  const index = JSON.parse(readFileSync(join(casesDir, 'cases.json'), 'utf8')) as { cases: ParityCase[] };
  const sessions = new Map<GraphName, ort.InferenceSession>();
  const results: CaseResult[] = [];
  const summary: Partial<Record<GraphName, GraphSummary>> = {};
  for (const c of index.cases) {
    let session = sessions.get(c.graph);
    if (!session) {
      session = await ort.InferenceSession.create(join(modelDir, graphs[c.graph].file));
      sessions.set(c.graph, session);
    }
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, entry] of Object.entries(c.inputs)) {
      feeds[name] = new ort.Tensor('float32', readTensor(casesDir, entry), entry.shape);
    }
    const out = await session.run(feeds);
    const errors = Object.entries(c.outputs).map(([name, entry]) => {
      const got = out[name];
      if (!got) throw new Error(`${c.graph}: output ${name} missing from the ONNX run`);
      if (got.dims.join('x') !== entry.shape.join('x')) {
        throw new Error(
          `${c.graph} ${c.label}: ${name} has shape ${got.dims.join('x')}, PyTorch ${entry.shape.join('x')}`,
        );
      }
      return compare(name, got.data as Float32Array, readTensor(casesDir, entry));
    });
    results.push({ graph: c.graph, label: c.label, errors });
    const s = summary[c.graph] ?? {
      precision: graphs[c.graph].precision,
      cases: 0,
      maxAbsError: 0,
      relError: 0,
      worstOutput: '',
    };
    s.cases += 1;
    for (const e of errors) {
      s.maxAbsError = Math.max(s.maxAbsError, e.maxAbsError);
      if (e.relError >= s.relError) {
        s.relError = e.relError;
        s.worstOutput = e.output;
      }
    }
    summary[c.graph] = s;
  }
  for (const s of sessions.values()) await s.release();
  return { modelDir, contractProblems, results, summary };
}

if (require.main === module) {
  const [modelDir, casesDir] = process.argv.slice(2);
  if (!modelDir || !casesDir) {
    console.error('usage: tsx models/export/parity.ts <modelDir> <casesDir>');
    process.exit(2);
  }
  runParity(modelDir, casesDir).then(
    (report) => {
      console.log(JSON.stringify(report, null, 1));
      process.exit(report.contractProblems.length > 0 ? 1 : 0);
    },
    (e: unknown) => {
      console.error(`parity: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
}
