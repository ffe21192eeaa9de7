/**
 * manifest.json of a model folder (models/README.md, "manifest.json"): parsed and checked field by
 * field, so a broken model is refused with a message naming the field instead of failing later
 * inside a graph.
 */
import { ModelError } from '../errors';
import { GRAPH_NAMES, HIDDEN_DIM, MEMORY_DIM, type GraphName } from './contract';

export type { GraphName } from './contract';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'medsam2-onnx-contract';
export const MANIFEST_FORMAT_VERSION = 2;
/**
 * What version 2 added to version 1 (models/README.md): a version-1 folder is read far enough to say
 * so, then refused, since its memory encoder cannot binarise prompted masks.
 */
const ADDED_IN_VERSION_2 =
  'the memory_encoder input "binarize_mask", constants.mask_downsample and the postprocessing block';

/**
 * How a graph stores its weights; inputs and outputs are float32 whatever the precision. `int8`: the
 * large MatMul/Gemm weights are int8 with per-column scales, run by dynamic quantisation.
 */
export type GraphPrecision = 'fp32' | 'fp16' | 'int8';
const PRECISIONS: readonly string[] = ['fp32', 'fp16', 'int8'] satisfies GraphPrecision[];

export interface GraphEntry {
  file: string;
  sha256: string;
  precision: GraphPrecision;
}

export interface ModelManifest {
  name: string;
  version: string;
  description?: string;
  testModel: boolean;
  source: { checkpoint: string | null; sha256: string | null; variant: string };
  imageSize: number;
  input: { mean: [number, number, number]; std: [number, number, number] };
  numMaskmem: number;
  maxObjPtrs: number;
  sigmoidScaleForMemEnc: number;
  sigmoidBiasForMemEnc: number;
  multimask: { onPromptedFrames: boolean; onTrackedFrames: boolean; minPoints: number; maxPoints: number };
  /** SAM 2's output post-processing, as `build_sam2_video_predictor` configures it. */
  postprocessing: {
    /** `dynamic_multimask_via_stability`: single-mask output falls back to the best multimask plane when unstable. */
    multimaskViaStability: boolean;
    /** `dynamic_multimask_stability_delta` */
    stabilityDelta: number;
    /** `dynamic_multimask_stability_thresh` */
    stabilityThresh: number;
    /** `fill_hole_area`: background holes of at most this many low-res pixels become foreground (0 = off). */
    fillHoleArea: number;
    /** `binarize_mask_from_pts_for_mem_enc` */
    binarizeMaskFromPtsForMemEnc: boolean;
    /** `use_mask_input_as_output_without_sam`: a mask prompt is the frame's output. */
    maskInputAsOutput: boolean;
  };
  constants: {
    /** [256] added to vision_feats on a frame without memory. */
    noMemEmbed: Float32Array;
    /** [256] */
    noMemPosEnc: Float32Array;
    /** numMaskmem × [64] temporal encodings, index numMaskmem−1 for conditioning frames. */
    maskmemTposEnc: Float32Array[];
    /** [256] object pointer of a frame where the object is absent. */
    noObjPtr: Float32Array;
    /** SAM 2's `mask_downsample`: Conv2d(1, 1, kernel 4, stride 4), S×S mask → L×L mask prompt. */
    maskDownsample: { weight: Float32Array; bias: number };
  };
  graphs: Record<GraphName, GraphEntry>;
}

export const manifestLocation = (origin: string): string => `${origin.replace(/\/+$/, '')}/${MANIFEST_FILE}`;

/** A graph file name must stay inside the model folder: no separators, no leading dot. */
const SAFE_FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;

/** Field readers that name the offending field in their error. */
class FieldReader {
  constructor(private readonly where: string) {}

  fail(field: string, problem: string): never {
    throw new ModelError('manifest-invalid', `${this.where}: field "${field}" ${problem}`);
  }

  object(parent: Json, key: string, path: string): Json {
    const v = parent[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(path, `must be an object, got ${describe(v)}`);
    return v as Json;
  }

  string(parent: Json, key: string, path: string): string {
    const v = parent[key];
    if (typeof v !== 'string' || v.length === 0)
      this.fail(path, `must be a non-empty string, got ${describe(v)}`);
    return v;
  }

  optionalString(parent: Json, key: string, path: string): string | undefined {
    return parent[key] === undefined ? undefined : this.string(parent, key, path);
  }

  nullableString(parent: Json, key: string, path: string): string | null {
    return parent[key] === null ? null : this.string(parent, key, path);
  }

  boolean(parent: Json, key: string, path: string): boolean {
    const v = parent[key];
    if (typeof v !== 'boolean') this.fail(path, `must be true or false, got ${describe(v)}`);
    return v;
  }

  number(parent: Json, key: string, path: string): number {
    const v = parent[key];
    if (typeof v !== 'number' || !Number.isFinite(v))
      this.fail(path, `must be a finite number, got ${describe(v)}`);
    return v;
  }

  integer(parent: Json, key: string, path: string, min: number): number {
    const v = this.number(parent, key, path);
    if (!Number.isInteger(v) || v < min) this.fail(path, `must be an integer ≥ ${min}, got ${v}`);
    return v;
  }

  numbers(value: unknown, path: string, length: number): number[] {
    if (!Array.isArray(value))
      this.fail(path, `must be an array of ${length} numbers, got ${describe(value)}`);
    if (value.length !== length) this.fail(path, `must have ${length} numbers, got ${value.length}`);
    const bad = value.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) this.fail(`${path}[${bad}]`, `must be a finite number, got ${describe(value[bad])}`);
    return value as number[];
  }

  vector(parent: Json, key: string, path: string, length: number): Float32Array {
    return Float32Array.from(this.numbers(parent[key], path, length));
  }

  triple(parent: Json, key: string, path: string): [number, number, number] {
    const [a, b, c] = this.numbers(parent[key], path, 3);
    return [a, b, c];
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing (missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** Parses a manifest's JSON value; `origin` (folder or URL) goes into every error message. */
export function parseManifest(json: unknown, origin: string): ModelManifest {
  const where = manifestLocation(origin);
  const r = new FieldReader(where);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelError('manifest-invalid', `${where}: must be a JSON object, got ${describe(json)}`);
  }
  const m = json as Json;
  if (m.format !== MANIFEST_FORMAT)
    r.fail('format', `must be "${MANIFEST_FORMAT}", got ${describe(m.format)}`);
  if (m.formatVersion === 1) {
    throw new ModelError(
      'manifest-outdated',
      `${where}: formatVersion 1 is an older contract without ${ADDED_IN_VERSION_2}; ` +
        'convert the checkpoint again with models/export/export.py (or regenerate the test model) to get version 2',
    );
  }
  if (m.formatVersion !== MANIFEST_FORMAT_VERSION) {
    r.fail('formatVersion', `must be ${MANIFEST_FORMAT_VERSION}, got ${describe(m.formatVersion)}`);
  }

  const source = r.object(m, 'source', 'source');
  const input = r.object(m, 'input', 'input');
  const multimask = r.object(m, 'multimask', 'multimask');
  const constants = r.object(m, 'constants', 'constants');
  const post = r.object(m, 'postprocessing', 'postprocessing');
  const maskDownsample = r.object(constants, 'mask_downsample', 'constants.mask_downsample');
  const graphs = r.object(m, 'graphs', 'graphs');

  const imageSize = r.integer(m, 'imageSize', 'imageSize', 16);
  if (imageSize % 16 !== 0) r.fail('imageSize', `must be a multiple of 16, got ${imageSize}`);
  const numMaskmem = r.integer(m, 'numMaskmem', 'numMaskmem', 1);

  const std = r.triple(input, 'std', 'input.std');
  const zeroStd = std.findIndex((s) => s <= 0);
  if (zeroStd >= 0) r.fail(`input.std[${zeroStd}]`, `must be > 0, got ${std[zeroStd]}`);

  const minPoints = r.integer(multimask, 'minPoints', 'multimask.minPoints', 0);
  const maxPoints = r.integer(multimask, 'maxPoints', 'multimask.maxPoints', 0);
  if (maxPoints < minPoints)
    r.fail('multimask.maxPoints', `must be ≥ multimask.minPoints (${minPoints}), got ${maxPoints}`);

  const tpos = constants.maskmem_tpos_enc;
  if (!Array.isArray(tpos) || tpos.length !== numMaskmem) {
    r.fail(
      'constants.maskmem_tpos_enc',
      `must be numMaskmem (${numMaskmem}) arrays of ${MEMORY_DIM}, got ${describe(tpos)}`,
    );
  }

  const description = r.optionalString(m, 'description', 'description');
  return {
    name: r.string(m, 'name', 'name'),
    version: r.string(m, 'version', 'version'),
    ...(description === undefined ? {} : { description }),
    testModel: r.boolean(m, 'testModel', 'testModel'),
    source: {
      checkpoint: r.nullableString(source, 'checkpoint', 'source.checkpoint'),
      sha256: r.nullableString(source, 'sha256', 'source.sha256'),
      variant: r.string(source, 'variant', 'source.variant'),
    },
    imageSize,
    input: { mean: r.triple(input, 'mean', 'input.mean'), std },
    numMaskmem,
    maxObjPtrs: r.integer(m, 'maxObjPtrs', 'maxObjPtrs', 2),
    sigmoidScaleForMemEnc: r.number(m, 'sigmoidScaleForMemEnc', 'sigmoidScaleForMemEnc'),
    sigmoidBiasForMemEnc: r.number(m, 'sigmoidBiasForMemEnc', 'sigmoidBiasForMemEnc'),
    postprocessing: {
      multimaskViaStability: r.boolean(post, 'multimaskViaStability', 'postprocessing.multimaskViaStability'),
      stabilityDelta: r.number(post, 'stabilityDelta', 'postprocessing.stabilityDelta'),
      stabilityThresh: r.number(post, 'stabilityThresh', 'postprocessing.stabilityThresh'),
      fillHoleArea: r.integer(post, 'fillHoleArea', 'postprocessing.fillHoleArea', 0),
      binarizeMaskFromPtsForMemEnc: r.boolean(
        post,
        'binarizeMaskFromPtsForMemEnc',
        'postprocessing.binarizeMaskFromPtsForMemEnc',
      ),
      maskInputAsOutput: r.boolean(post, 'maskInputAsOutput', 'postprocessing.maskInputAsOutput'),
    },
    multimask: {
      onPromptedFrames: r.boolean(multimask, 'onPromptedFrames', 'multimask.onPromptedFrames'),
      onTrackedFrames: r.boolean(multimask, 'onTrackedFrames', 'multimask.onTrackedFrames'),
      minPoints,
      maxPoints,
    },
    constants: {
      noMemEmbed: r.vector(constants, 'no_mem_embed', 'constants.no_mem_embed', HIDDEN_DIM),
      noMemPosEnc: r.vector(constants, 'no_mem_pos_enc', 'constants.no_mem_pos_enc', HIDDEN_DIM),
      maskmemTposEnc: (tpos as unknown[]).map((row, i) =>
        Float32Array.from(r.numbers(row, `constants.maskmem_tpos_enc[${i}]`, MEMORY_DIM)),
      ),
      noObjPtr: r.vector(constants, 'no_obj_ptr', 'constants.no_obj_ptr', HIDDEN_DIM),
      maskDownsample: {
        weight: r.vector(maskDownsample, 'weight', 'constants.mask_downsample.weight', 16),
        bias: r.number(maskDownsample, 'bias', 'constants.mask_downsample.bias'),
      },
    },
    graphs: parseGraphs(r, graphs, where),
  };
}

function parseGraphs(r: FieldReader, graphs: Json, where: string): Record<GraphName, GraphEntry> {
  const unknown = Object.keys(graphs).filter((k) => !(GRAPH_NAMES as readonly string[]).includes(k));
  if (unknown.length > 0)
    r.fail(`graphs.${unknown[0]}`, `is not a graph of the contract (${GRAPH_NAMES.join(', ')})`);
  const entry = (name: GraphName): GraphEntry => {
    const path = `graphs.${name}`;
    const g = r.object(graphs, name, path);
    const file = r.string(g, 'file', `${path}.file`);
    if (!SAFE_FILE_NAME.test(file))
      r.fail(`${path}.file`, `must be a plain file name inside the model folder, got "${file}"`);
    const sha256 = r.string(g, 'sha256', `${path}.sha256`);
    if (!SHA256_HEX.test(sha256))
      r.fail(`${path}.sha256`, `must be 64 lowercase hex digits, got "${sha256}"`);
    const precision = r.string(g, 'precision', `${path}.precision`);
    if (!PRECISIONS.includes(precision)) {
      throw new ModelError(
        'unsupported-precision',
        `${where}: field "${path}.precision" is "${precision}"; supported precisions are ${PRECISIONS.join(', ')}`,
      );
    }
    return { file, sha256, precision: precision as GraphPrecision };
  };
  return {
    image_encoder: entry('image_encoder'),
    memory_attention: entry('memory_attention'),
    mask_decoder: entry('mask_decoder'),
    memory_encoder: entry('memory_encoder'),
  };
}
