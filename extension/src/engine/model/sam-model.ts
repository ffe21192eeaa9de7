/**
 * A loaded model: the manifest, one session per graph, and typed calls that follow the tables of
 * models/README.md. Loading refuses anything that does not honour the contract (missing or altered
 * files, wrong tensor names) before a single frame is processed.
 */
import { InputError, ModelError, errorText } from '../errors';
import type { GraphSession, InferenceBackend } from '../runtime/backend';
import {
  GRAPH_NAMES,
  GRAPH_SIGNATURES,
  HIDDEN_DIM,
  MASK_PLANES,
  MEMORY_DIM,
  modelGrid,
  signatureDifference,
  type GraphName,
  type ModelGrid,
} from './contract';
import { MANIFEST_FILE, manifestLocation, parseManifest, type ModelManifest } from './manifest';
import { sha256Hex } from './sha256';
import { formatDims, tensor, zeros, type Tensor } from './tensor';

/** Where a model's files come from: a folder (Node), a URL prefix or a cache (browser). */
export interface ModelFiles {
  /** Folder path or URL, used in messages. */
  readonly origin: string;
  /** Rejects when the file cannot be read. */
  read(fileName: string): Promise<Uint8Array>;
}

export interface ImageFeatures {
  /** [1,256,F,F] */
  visionFeats: Tensor;
  /** [1,256,F,F] */
  visionPos: Tensor;
  /** [1,32,4F,4F] */
  highRes0: Tensor;
  /** [1,64,2F,2F] */
  highRes1: Tensor;
}

export interface DecoderOutput {
  /** [1,4,L,L] mask logits, plane 0 single-mask, 1..3 multimask. */
  lowResMasks: Tensor;
  /** [4] predicted IoU per plane. */
  iou: Float32Array;
  /** [1,4,256] object pointer per plane, before no-object gating. */
  objPtr: Tensor;
  /** > 0 means the object is present. */
  objectScore: number;
}

export interface MemoryAttentionInputs {
  curr: Tensor;
  currPos: Tensor;
  /** [N,64,F,F] */
  memory: Tensor;
  /** [N,64,F,F], temporal encodings already added. */
  memoryPos: Tensor;
  /** [P,256] */
  objPtrs: Tensor;
  /** [P,256] */
  objPtrPos: Tensor;
}

export interface MaskDecoderInputs {
  imageEmbed: Tensor;
  highRes0: Tensor;
  highRes1: Tensor;
  /** x0,y0,x1,y1,... in model-input pixels (0..S). Empty = no prompt (one padding point is sent). */
  pointCoords: Float32Array;
  /** One label per point: 1 include, 0 exclude, 2/3 box corners, −1 padding. */
  pointLabels: Float32Array;
  /** [1,1,L,L] mask prompt as logits; absent = no mask prompt. */
  maskInput?: Tensor;
}

export interface MemoryEncoderInputs {
  /** [1,256,F,F] the frame's raw vision_feats. */
  pixFeat: Tensor;
  /** [1,1,L,L] the chosen plane's logits. */
  maskLogits: Tensor;
  objectScore: number;
  /**
   * SAM 2's `binarize_mask_from_pts_for_mem_enc`: true encodes (upsampled logits > 0) instead of
   * their sigmoid — for frames whose mask came from the user's prompts.
   */
  binarize: boolean;
}

export interface SamModel {
  readonly manifest: ModelManifest;
  /** sha256 hex of the manifest's bytes (the manifest pins every graph's sha256). */
  readonly modelHash: string;
  readonly backend: InferenceBackend;
  /** S, F and L of this model. */
  readonly grid: ModelGrid;
  /**
   * The image encoder runs on its own thread (loadModel's `encoderBackend`), so encoding the next
   * slice while this one is decoded gains time; with one thread it would only delay this slice.
   */
  readonly encoderRunsApart: boolean;
  encodeImage(image: Tensor): Promise<ImageFeatures>;
  attendMemory(a: MemoryAttentionInputs): Promise<Tensor>;
  decodeMask(a: MaskDecoderInputs): Promise<DecoderOutput>;
  encodeMemory(a: MemoryEncoderInputs): Promise<{ features: Tensor; posEnc: Tensor }>;
  release(): Promise<void>;
}

const VALID_LABELS = new Set([-1, 0, 1, 2, 3]);

async function readManifest(files: ModelFiles): Promise<{ manifest: ModelManifest; modelHash: string }> {
  const where = manifestLocation(files.origin);
  let bytes: Uint8Array;
  try {
    bytes = await files.read(MANIFEST_FILE);
  } catch (e) {
    throw new ModelError('manifest-missing', `${where}: cannot be read (${errorText(e)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelError('manifest-invalid', `${where}: is not valid JSON (${errorText(e)})`);
  }
  return { manifest: parseManifest(json, files.origin), modelHash: await sha256Hex(bytes) };
}

async function openGraph(
  files: ModelFiles,
  manifest: ModelManifest,
  graph: GraphName,
  backend: InferenceBackend,
): Promise<GraphSession> {
  const { file, sha256 } = manifest.graphs[graph];
  const where = `${files.origin.replace(/\/+$/, '')}/${file}`;
  let bytes: Uint8Array;
  try {
    bytes = await files.read(file);
  } catch (e) {
    throw new ModelError('graph-missing', `${where} (graph ${graph}): cannot be read (${errorText(e)})`);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== sha256) {
    throw new ModelError(
      'hash-mismatch',
      `${where} (graph ${graph}): sha256 is ${actual}, the manifest expects ${sha256}`,
    );
  }
  const session = await backend.createSession(bytes, graph);
  const expected = GRAPH_SIGNATURES[graph];
  const inputs = signatureDifference(expected.inputs, session.inputNames);
  const outputs = signatureDifference(expected.outputs, session.outputNames);
  const problems = [
    ...inputs.missing.map((n) => `missing input "${n}"`),
    ...inputs.unexpected.map((n) => `unexpected input "${n}"`),
    ...outputs.missing.map((n) => `missing output "${n}"`),
    ...outputs.unexpected.map((n) => `unexpected output "${n}"`),
  ];
  if (problems.length > 0) {
    await session.release();
    throw new ModelError('graph-signature', `${where} (graph ${graph}): ${problems.join(', ')}`);
  }
  return session;
}

/** Reads, verifies and opens a model. Every refusal is a ModelError naming the file, field or tensor. */
export interface LoadModelOptions {
  /**
   * A backend on another thread for the image encoder (remote-graph.ts), so that it overlaps with
   * the other graphs; `backend` runs the rest. Absent: every graph on `backend`. The model owns
   * it: releasing the model (or failing to load) disposes it, when it has `dispose`.
   */
  readonly encoderBackend?: InferenceBackend & { dispose?(): void };
}

export async function loadModel(
  files: ModelFiles,
  backend: InferenceBackend,
  options: LoadModelOptions = {},
): Promise<SamModel> {
  const { manifest, modelHash } = await readManifest(files);
  const sessions = new Map<GraphName, GraphSession>();
  const backendFor = (graph: GraphName) =>
    graph === 'image_encoder' && options.encoderBackend ? options.encoderBackend : backend;
  try {
    for (const graph of GRAPH_NAMES)
      sessions.set(graph, await openGraph(files, manifest, graph, backendFor(graph)));
  } catch (e) {
    await Promise.all([...sessions.values()].map((s) => s.release()));
    options.encoderBackend?.dispose?.();
    throw e;
  }
  return new LoadedSamModel(manifest, modelHash, backend, sessions, options.encoderBackend);
}

/** A dimension pattern: numbers must match, `null` accepts any size ≥ 1 (the dynamic N and P). */
type DimPattern = readonly (number | null)[];

const formatPattern = (p: DimPattern, dynamic: string): string => `[${p.map((d) => d ?? dynamic).join(',')}]`;

class LoadedSamModel implements SamModel {
  readonly grid: ModelGrid;

  constructor(
    readonly manifest: ModelManifest,
    readonly modelHash: string,
    readonly backend: InferenceBackend,
    private readonly sessions: Map<GraphName, GraphSession>,
    private readonly encoderBackend?: InferenceBackend & { dispose?(): void },
  ) {
    this.grid = modelGrid(manifest.imageSize);
    this.encoderRunsApart = encoderBackend !== undefined;
  }

  readonly encoderRunsApart: boolean;

  async encodeImage(image: Tensor): Promise<ImageFeatures> {
    const { image: S, feature: F, mask: L } = this.grid;
    this.expectDims('image_encoder', 'image', image, [1, 3, S, S]);
    const out = await this.run('image_encoder', { image });
    return {
      visionFeats: this.output('image_encoder', out, 'vision_feats', [1, HIDDEN_DIM, F, F]),
      visionPos: this.output('image_encoder', out, 'vision_pos', [1, HIDDEN_DIM, F, F]),
      highRes0: this.output('image_encoder', out, 'high_res_feats_0', [1, 32, L, L]),
      highRes1: this.output('image_encoder', out, 'high_res_feats_1', [1, 64, 2 * F, 2 * F]),
    };
  }

  async attendMemory(a: MemoryAttentionInputs): Promise<Tensor> {
    const F = this.grid.feature;
    const g = 'memory_attention';
    this.expectDims(g, 'curr', a.curr, [1, HIDDEN_DIM, F, F]);
    this.expectDims(g, 'curr_pos', a.currPos, [1, HIDDEN_DIM, F, F]);
    const n = this.expectDims(g, 'memory', a.memory, [null, MEMORY_DIM, F, F], 'N');
    this.expectDims(g, 'memory_pos', a.memoryPos, [n, MEMORY_DIM, F, F]);
    const p = this.expectDims(g, 'obj_ptrs', a.objPtrs, [null, HIDDEN_DIM], 'P');
    this.expectDims(g, 'obj_ptr_pos', a.objPtrPos, [p, HIDDEN_DIM]);
    const out = await this.run(g, {
      curr: a.curr,
      curr_pos: a.currPos,
      memory: a.memory,
      memory_pos: a.memoryPos,
      obj_ptrs: a.objPtrs,
      obj_ptr_pos: a.objPtrPos,
    });
    return this.output(g, out, 'pix_feat_with_mem', [1, HIDDEN_DIM, F, F]);
  }

  async decodeMask(a: MaskDecoderInputs): Promise<DecoderOutput> {
    const { feature: F, mask: L } = this.grid;
    const g = 'mask_decoder';
    this.expectDims(g, 'image_embed', a.imageEmbed, [1, HIDDEN_DIM, F, F]);
    this.expectDims(g, 'high_res_feats_0', a.highRes0, [1, 32, L, L]);
    this.expectDims(g, 'high_res_feats_1', a.highRes1, [1, 64, 2 * F, 2 * F]);
    if (a.maskInput) this.expectDims(g, 'mask_input', a.maskInput, [1, 1, L, L]);
    const { coords, labels } = this.promptPoints(a.pointCoords, a.pointLabels);
    const out = await this.run(g, {
      image_embed: a.imageEmbed,
      high_res_feats_0: a.highRes0,
      high_res_feats_1: a.highRes1,
      point_coords: tensor(coords, [1, labels.length, 2]),
      point_labels: tensor(labels, [1, labels.length]),
      mask_input: a.maskInput ?? zeros([1, 1, L, L]),
      has_mask_input: tensor(new Float32Array([a.maskInput ? 1 : 0]), [1]),
    });
    return {
      lowResMasks: this.output(g, out, 'low_res_masks', [1, MASK_PLANES, L, L]),
      iou: this.output(g, out, 'iou_predictions', [1, MASK_PLANES]).data,
      objPtr: this.output(g, out, 'obj_ptr', [1, MASK_PLANES, HIDDEN_DIM]),
      objectScore: this.output(g, out, 'object_score_logits', [1, 1]).data[0],
    };
  }

  async encodeMemory(a: MemoryEncoderInputs): Promise<{ features: Tensor; posEnc: Tensor }> {
    const { feature: F, mask: L } = this.grid;
    const g = 'memory_encoder';
    this.expectDims(g, 'pix_feat', a.pixFeat, [1, HIDDEN_DIM, F, F]);
    this.expectDims(g, 'mask_logits', a.maskLogits, [1, 1, L, L]);
    const out = await this.run(g, {
      pix_feat: a.pixFeat,
      mask_logits: a.maskLogits,
      object_score_logits: tensor(new Float32Array([a.objectScore]), [1, 1]),
      binarize_mask: tensor(new Float32Array([a.binarize ? 1 : 0]), [1]),
    });
    return {
      features: this.output(g, out, 'maskmem_features', [1, MEMORY_DIM, F, F]),
      posEnc: this.output(g, out, 'maskmem_pos_enc', [1, MEMORY_DIM, F, F]),
    };
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(sessions.map((s) => s.release()));
    this.encoderBackend?.dispose?.();
  }

  /** Checks a prompt; no points at all becomes the contract's single padding point. */
  private promptPoints(pointCoords: Float32Array, pointLabels: Float32Array) {
    if (pointCoords.length !== 2 * pointLabels.length) {
      throw new InputError(
        'invalid-prompt',
        `mask_decoder: point_coords has ${pointCoords.length} values for ${pointLabels.length} labels (need 2 per point)`,
      );
    }
    const badLabel = pointLabels.findIndex((l) => !VALID_LABELS.has(l));
    if (badLabel >= 0) {
      throw new InputError(
        'invalid-prompt',
        `mask_decoder: point_labels[${badLabel}] is ${pointLabels[badLabel]}; labels are 1, 0, 2, 3 or -1`,
      );
    }
    const badCoord = pointCoords.findIndex((c) => !Number.isFinite(c));
    if (badCoord >= 0) {
      throw new InputError(
        'invalid-prompt',
        `mask_decoder: point_coords[${badCoord}] is not a finite number`,
      );
    }
    if (pointLabels.length === 0) return { coords: new Float32Array(2), labels: new Float32Array([-1]) };
    return { coords: pointCoords, labels: pointLabels };
  }

  /** Returns the size of the first dimension (the dynamic N or P where the pattern has null). */
  private expectDims(graph: GraphName, name: string, t: Tensor, pattern: DimPattern, dynamic = '?'): number {
    const ok =
      t.dims.length === pattern.length &&
      t.dims.every((d, i) => (pattern[i] === null ? Number.isInteger(d) && d >= 1 : d === pattern[i])) &&
      t.data.length === t.dims.reduce((n, d) => n * d, 1);
    if (!ok) {
      throw new ModelError(
        'inference-failed',
        `${graph}: input "${name}" has dims ${formatDims(t.dims)} (${t.data.length} values), the contract needs ${formatPattern(pattern, dynamic)}`,
      );
    }
    return t.dims[0];
  }

  private output(
    graph: GraphName,
    out: Record<string, Tensor>,
    name: string,
    dims: readonly number[],
  ): Tensor {
    const t = out[name];
    if (!t) throw new ModelError('inference-failed', `${graph}: output "${name}" is missing`);
    if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
      throw new ModelError(
        'inference-failed',
        `${graph}: output "${name}" has dims ${formatDims(t.dims)}, the contract needs ${formatDims(dims)} (imageSize ${this.grid.image})`,
      );
    }
    return t;
  }

  private async run(graph: GraphName, feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const session = this.sessions.get(graph);
    if (!session) throw new ModelError('inference-failed', `${graph}: the model has been released`);
    return session.run(feeds);
  }
}
