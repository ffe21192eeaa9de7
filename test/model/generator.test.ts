/**
 * models/generate-test-model.ts writes the contract's folder: four opset-17 graphs with the
 * contract's tensor names and a manifest whose sha256s match, identically on every run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { GRAPH_NAMES, GRAPH_SIGNATURES } from '../../extension/src/engine/model/contract';
import { parseManifest } from '../../extension/src/engine/model/manifest';
import { sha256 } from './fixtures';

const generator = join(__dirname, '../../models/generate-test-model.ts');
const dirs: string[] = [];

function generate(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'medsam2-gen-')), 'test-tiny');
  dirs.push(join(dir, '..'));
  execFileSync(process.execPath, [require.resolve('tsx/cli'), generator, dir], { encoding: 'utf8' });
  return dir;
}

let first: string;
let second: string;
beforeAll(() => {
  first = generate();
  second = generate();
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('test-model generator', () => {
  it('writes the four graphs and manifest.json', () => {
    expect(readdirSync(first).sort()).toEqual([
      'image_encoder.onnx',
      'manifest.json',
      'mask_decoder.onnx',
      'memory_attention.onnx',
      'memory_encoder.onnx',
    ]);
  });

  it('is deterministic: two runs write byte-identical files', () => {
    for (const name of readdirSync(first)) {
      expect(sha256(readFileSync(join(second, name)))).toBe(sha256(readFileSync(join(first, name))));
    }
  });

  it('marks the model as a test model and records each graph’s real sha256', () => {
    const manifest = parseManifest(JSON.parse(readFileSync(join(first, 'manifest.json'), 'utf8')), first);
    expect(manifest.testModel).toBe(true);
    expect(manifest.imageSize).toBe(128);
    expect(manifest.input).toEqual({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
    for (const graph of GRAPH_NAMES) {
      const entry = manifest.graphs[graph];
      expect(entry.sha256).toBe(sha256(readFileSync(join(first, entry.file))));
    }
  });

  it.each(GRAPH_NAMES)('writes %s as opset 17 with exactly the contract’s tensor names', (graph) => {
    const model = onnx.ModelProto.decode(readFileSync(join(first, `${graph}.onnx`)));
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(model.graph!.input!.map((i) => i.name)).toEqual(GRAPH_SIGNATURES[graph].inputs);
    expect(model.graph!.output!.map((o) => o.name)).toEqual(GRAPH_SIGNATURES[graph].outputs);
  });

  it('keeps no_mem_embed channels 0 and 1 at zero (intensity and memory prior untouched on a first frame)', () => {
    const manifest = parseManifest(JSON.parse(readFileSync(join(first, 'manifest.json'), 'utf8')), first);
    expect([manifest.constants.noMemEmbed[0], manifest.constants.noMemEmbed[1]]).toEqual([0, 0]);
  });
});
