/**
 * The loader refuses every model that does not honour the contract, with a ModelError whose kind
 * says what is wrong and whose message names the file, field or tensor (models/README.md).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { ModelError, type ModelErrorKind } from '../../extension/src/engine/errors';
import { parseManifest } from '../../extension/src/engine/model/manifest';
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import type { InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { buildTestModel } from '../../models/onnx/test-tiny-model';
import {
  cleanupModelDirs,
  readManifestJson,
  replaceGraph,
  S,
  sha256,
  writeManifestJson,
  writeModelDir,
} from './fixtures';

let backend: WorkerBackend;
beforeAll(async () => {
  backend = await nodeBackends().native();
});
afterAll(async () => {
  await backend.close();
  cleanupModelDirs();
});

async function loadError(dir: string, using: InferenceBackend = backend): Promise<ModelError> {
  let model: SamModel | undefined;
  try {
    model = await loadModel(directoryModelFiles(dir), using);
  } catch (e) {
    if (e instanceof ModelError) return e;
    throw e;
  }
  await model.release();
  throw new Error(`${dir} loaded although it should have been refused`);
}

async function expectRefusal(dir: string, kind: ModelErrorKind, ...mentions: (string | RegExp)[]) {
  const error = await loadError(dir);
  expect(error.kind).toBe(kind);
  for (const m of mentions) expect(error.message).toMatch(m);
  return error;
}

/** Manifest JSON as the tests mutate it: any field, any depth, deliberately untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ManifestJson = Record<string, any>;

/** The intact manifest's JSON with one change applied. */
function manifestWith(change: (m: ManifestJson) => void): Record<string, unknown> {
  const m = readManifestJson(buildTestModel()) as ManifestJson;
  change(m);
  return m;
}

/** A model folder whose manifest was altered by `change`. */
const dirWithManifest = (change: (m: ManifestJson) => void) =>
  writeModelDir((files) => writeManifestJson(files, manifestWith(change)));

describe('parseManifest', () => {
  it('reads the generated test model manifest into typed fields', () => {
    const m = parseManifest(
      manifestWith(() => undefined),
      '/models/test-tiny',
    );
    expect(m.name).toBe('test-tiny');
    expect(m.testModel).toBe(true);
    expect(m.imageSize).toBe(S);
    expect(m.constants.noMemEmbed).toHaveLength(256);
    expect(m.constants.maskmemTposEnc).toHaveLength(m.numMaskmem);
    expect(m.constants.maskmemTposEnc.every((row) => row.length === 64)).toBe(true);
    expect(m.graphs.mask_decoder).toEqual(
      expect.objectContaining({ file: 'mask_decoder.onnx', precision: 'fp32' }),
    );
  });

  const broken: [string, (m: ManifestJson) => void, string][] = [
    ['a wrong format tag', (m) => (m.format = 'something-else'), 'format'],
    ['a wrong format version', (m) => (m.formatVersion = 3), 'formatVersion'],
    ['a missing postprocessing block', (m) => delete m.postprocessing, 'postprocessing'],
    ['a negative fillHoleArea', (m) => (m.postprocessing.fillHoleArea = -1), 'postprocessing.fillHoleArea'],
    [
      'a mask_downsample of 15 weights',
      (m) => m.constants.mask_downsample.weight.pop(),
      'constants.mask_downsample.weight',
    ],
    ['a missing name', (m) => delete m.name, 'name'],
    ['a non-boolean testModel', (m) => (m.testModel = 'yes'), 'testModel'],
    ['an imageSize not a multiple of 16', (m) => (m.imageSize = 120), 'imageSize'],
    ['a string imageSize', (m) => (m.imageSize = '128'), 'imageSize'],
    ['input.mean of length 2', (m) => (m.input.mean = [0.5, 0.5]), 'input.mean'],
    ['a zero input.std', (m) => (m.input.std = [0.2, 0, 0.2]), 'input.std[1]'],
    ['a missing source object', (m) => delete m.source, 'source'],
    ['a numeric source.checkpoint', (m) => (m.source.checkpoint = 3), 'source.checkpoint'],
    ['a fractional numMaskmem', (m) => (m.numMaskmem = 6.5), 'numMaskmem'],
    [
      'multimask.maxPoints below minPoints',
      (m) => (m.multimask = { ...m.multimask, minPoints: 2, maxPoints: 1 }),
      'multimask.maxPoints',
    ],
    ['no_mem_embed of 255 numbers', (m) => m.constants.no_mem_embed.pop(), 'constants.no_mem_embed'],
    ['a string inside no_obj_ptr', (m) => (m.constants.no_obj_ptr[7] = 'x'), 'constants.no_obj_ptr[7]'],
    [
      'maskmem_tpos_enc rows ≠ numMaskmem',
      (m) => m.constants.maskmem_tpos_enc.pop(),
      'constants.maskmem_tpos_enc',
    ],
    [
      'a short maskmem_tpos_enc row',
      (m) => m.constants.maskmem_tpos_enc[3].pop(),
      'constants.maskmem_tpos_enc[3]',
    ],
    ['a missing graph entry', (m) => delete m.graphs.memory_encoder, 'graphs.memory_encoder'],
    ['an unknown graph entry', (m) => (m.graphs.extra = m.graphs.mask_decoder), 'graphs.extra'],
    [
      'a graph file outside the folder',
      (m) => (m.graphs.mask_decoder.file = '../mask_decoder.onnx'),
      'graphs.mask_decoder.file',
    ],
    ['a malformed sha256', (m) => (m.graphs.image_encoder.sha256 = 'abc'), 'graphs.image_encoder.sha256'],
  ];

  it('reads a formatVersion 1 manifest far enough to say it is outdated and how to get version 2', () => {
    const m = manifestWith((j) => (j.formatVersion = 1));
    expect(() => parseManifest(m, '/models/x')).toThrow(
      expect.objectContaining({
        kind: 'manifest-outdated',
        message: expect.stringMatching(/formatVersion 1 .*binarize_mask.*export\.py/),
      }),
    );
  });

  it.each(broken)('refuses %s as manifest-invalid naming the field', (_what, change, field) => {
    const m = manifestWith(change);
    expect(() => parseManifest(m, '/models/x')).toThrow(ModelError);
    try {
      parseManifest(m, '/models/x');
    } catch (e) {
      expect((e as ModelError).kind).toBe('manifest-invalid');
      expect((e as ModelError).message).toContain(`"${field}"`);
      expect((e as ModelError).message).toContain('/models/x/manifest.json');
    }
  });

  it('refuses a non-object manifest', () => {
    expect(() => parseManifest([1, 2], '/m')).toThrow(/manifest\.json: must be a JSON object/);
  });

  it('accepts int8 graphs next to fp32 and fp16 ones', () => {
    const m = parseManifest(
      manifestWith((j) => {
        j.graphs.image_encoder.precision = 'int8';
        j.graphs.mask_decoder.precision = 'fp16';
      }),
      '/m',
    );
    expect(Object.values(m.graphs).map((g) => g.precision)).toEqual(['int8', 'fp32', 'fp16', 'fp32']);
  });

  it('refuses fp8 precision as unsupported-precision naming the graph', () => {
    const m = manifestWith((j) => (j.graphs.mask_decoder.precision = 'fp8'));
    try {
      parseManifest(m, '/m');
      throw new Error('accepted fp8');
    } catch (e) {
      expect((e as ModelError).kind).toBe('unsupported-precision');
      expect((e as ModelError).message).toMatch(/graphs\.mask_decoder\.precision.*fp8/);
      expect((e as ModelError).message).toMatch(/fp32, fp16, int8/);
    }
  });
});

describe('loadModel', () => {
  it('loads the intact test model, hashing the manifest bytes', async () => {
    const dir = writeModelDir();
    const model = await loadModel(directoryModelFiles(dir), backend);
    expect(model.modelHash).toBe(sha256(buildTestModel().get('manifest.json')!));
    expect(model.grid).toEqual({ image: 128, feature: 8, mask: 32 });
    expect(model.backend).toBe(backend);
    await model.release();
  });

  it('refuses a folder without manifest.json (manifest-missing)', async () => {
    const dir = writeModelDir((files) => files.delete('manifest.json'));
    await expectRefusal(dir, 'manifest-missing', 'manifest.json');
  });

  it('refuses a folder that does not exist (manifest-missing)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'medsam2-none-')), 'absent');
    await expectRefusal(dir, 'manifest-missing', dir);
    rmSync(join(dir, '..'), { recursive: true });
  });

  it('refuses a manifest that is not JSON (manifest-invalid)', async () => {
    const dir = writeModelDir((files) => files.set('manifest.json', new TextEncoder().encode('{"name": ')));
    await expectRefusal(dir, 'manifest-invalid', /manifest\.json: is not valid JSON/);
  });

  it('refuses a manifest with a missing field (manifest-invalid)', async () => {
    await expectRefusal(
      dirWithManifest((m) => delete m.maxObjPtrs),
      'manifest-invalid',
      '"maxObjPtrs"',
    );
  });

  it('refuses a missing graph file (graph-missing) naming the file', async () => {
    const dir = writeModelDir((files) => files.delete('memory_attention.onnx'));
    await expectRefusal(dir, 'graph-missing', 'memory_attention.onnx');
  });

  it('refuses a graph with one flipped byte (hash-mismatch) naming file, expected and actual hash', async () => {
    const files = buildTestModel();
    const bytes = files.get('mask_decoder.onnx')!.slice();
    const expected = sha256(bytes);
    bytes[bytes.length - 10] ^= 0x01;
    const dir = writeModelDir((f) => f.set('mask_decoder.onnx', bytes));
    await expectRefusal(dir, 'hash-mismatch', 'mask_decoder.onnx', expected, sha256(bytes));
  });

  it('refuses a graph whose input is renamed (graph-signature) naming the missing and unexpected tensors', async () => {
    const dir = writeModelDir((files) => {
      const model = onnx.ModelProto.decode(files.get('image_encoder.onnx')!);
      const graph = model.graph!;
      graph.input![0].name = 'pixels';
      for (const node of graph.node!) node.input = node.input!.map((n) => (n === 'image' ? 'pixels' : n));
      replaceGraph(files, 'image_encoder', onnx.ModelProto.encode(model).finish());
    });
    await expectRefusal(
      dir,
      'graph-signature',
      'image_encoder.onnx',
      'missing input "image"',
      'unexpected input "pixels"',
    );
  });

  it('refuses a graph missing an output (graph-signature)', async () => {
    const dir = writeModelDir((files) => {
      const model = onnx.ModelProto.decode(files.get('memory_encoder.onnx')!);
      model.graph!.output = model.graph!.output!.filter((o) => o.name !== 'maskmem_pos_enc');
      replaceGraph(files, 'memory_encoder', onnx.ModelProto.encode(model).finish());
    });
    await expectRefusal(dir, 'graph-signature', 'missing output "maskmem_pos_enc"');
  });

  it('refuses fp8 precision (unsupported-precision)', async () => {
    await expectRefusal(
      dirWithManifest((m) => (m.graphs.memory_encoder.precision = 'fp8')),
      'unsupported-precision',
      'graphs.memory_encoder.precision',
    );
  });

  it('reports a graph the backend cannot load (inference-failed) naming the graph', async () => {
    const dir = writeModelDir((files) =>
      replaceGraph(files, 'mask_decoder', new TextEncoder().encode('not onnx')),
    );
    await expectRefusal(dir, 'inference-failed', /^mask_decoder: native-cpu could not load the graph/);
  });
});

describe('SamModel input checks', () => {
  let model: SamModel;
  beforeAll(async () => {
    model = await loadModel(directoryModelFiles(writeModelDir()), backend);
  });
  afterAll(() => model.release());

  it('refuses an image of the wrong size naming graph and tensor', async () => {
    await expect(
      model.encodeImage({ data: new Float32Array(3 * 64 * 64), dims: [1, 3, 64, 64] }),
    ).rejects.toThrow(/image_encoder: input "image" has dims \[1,3,64,64\].*\[1,3,128,128\]/);
  });

  it('refuses memories whose positions have a different N', async () => {
    const t = (dims: number[]) => ({ data: new Float32Array(dims.reduce((a, b) => a * b, 1)), dims });
    await expect(
      model.attendMemory({
        curr: t([1, 256, 8, 8]),
        currPos: t([1, 256, 8, 8]),
        memory: t([2, 64, 8, 8]),
        memoryPos: t([3, 64, 8, 8]),
        objPtrs: t([1, 256]),
        objPtrPos: t([1, 256]),
      }),
    ).rejects.toThrow(/memory_attention: input "memory_pos" has dims \[3,64,8,8\].*\[2,64,8,8\]/);
  });

  it.each([
    ['coordinates not 2 per label', [1, 2, 3], [1], /point_coords has 3 values for 1 labels/],
    ['an unknown label', [1, 2], [5], /point_labels\[0\] is 5/],
    ['a NaN coordinate', [NaN, 2], [1], /point_coords\[0\] is not a finite number/],
  ])('refuses a prompt with %s (invalid-prompt)', async (_what, coords, labels, message) => {
    const feats = await model.encodeImage({ data: new Float32Array(3 * S * S), dims: [1, 3, S, S] });
    const call = model.decodeMask({
      imageEmbed: feats.visionFeats,
      highRes0: feats.highRes0,
      highRes1: feats.highRes1,
      pointCoords: new Float32Array(coords),
      pointLabels: new Float32Array(labels),
    });
    await expect(call).rejects.toMatchObject({ kind: 'invalid-prompt' });
    await expect(call).rejects.toThrow(message);
  });

  it('refuses calls after release', async () => {
    const m = await loadModel(directoryModelFiles(writeModelDir()), backend);
    await m.release();
    await expect(m.encodeImage({ data: new Float32Array(3 * S * S), dims: [1, 3, S, S] })).rejects.toThrow(
      /image_encoder: the model has been released/,
    );
  });
});
