/**
 * A DICOM store over a folder of Part-10 files: the PACS behind `npm start` when no other is given.
 * Files found in the folder (any layout) are indexed at open, one at a time; stored instances are
 * written as <StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm, byte for byte as
 * received, so a retrieve returns exactly what was stored. Only complete instances whose UIDs
 * follow the UID grammar are indexed or stored: an upload is written to .incoming/<random>.partial
 * and renamed into place once it parsed whole, so a crash leaves at most a .partial file, which
 * the next open reports and never serves. The index (attributes without pixel data) lives in memory.
 */
import { randomBytes } from 'node:crypto';
import {
  promises as fsp,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Dataset, DatasetReader } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import { type Part10File, parsePart10 } from '../src/dicom/part10';
import { extractFrames, numberOfFrames } from './frames';
import { containedPath, isValidUid, uidProblem } from './store-paths';

export interface StoredInstance {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
  readonly sopClassUID: string;
  readonly transferSyntaxUID: string;
  /** VR of PixelData (OB/OW) when the instance has pixel data. */
  readonly pixelDataVR?: string;
  /** The data set without PixelData (what QIDO and the metadata answers are made of). */
  readonly attributes: Dataset;
  readonly file: string;
  /** Size and modification time when it was checked: a file changed since is checked again. */
  readonly size: number;
  readonly mtimeMs: number;
}

export interface StoredSeries {
  readonly seriesInstanceUID: string;
  readonly instances: Map<string, StoredInstance>;
}

export interface StoredStudy {
  readonly studyInstanceUID: string;
  readonly series: Map<string, StoredSeries>;
}

/** One file of the folder that is not a usable instance, and why. */
export interface SkippedFile {
  readonly path: string;
  readonly reason: string;
}

/** STOW-RS to /studies/{study} with an instance of another study. */
export class StudyMismatch extends Error {
  constructor(
    message: string,
    /** ReferencedSOPClassUID / ReferencedSOPInstanceUID of the refused instance. */
    readonly uids: Dataset,
  ) {
    super(message);
  }
}

/** Folder (inside the store) where uploads are written before they are complete. */
export const INCOMING_DIR = '.incoming';
const PARTIAL = '.partial';

const asArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

/** An upload written to a temporary file and checked: ready to be moved into the store. */
export interface CheckedUpload {
  readonly tempFile: string;
  readonly parsed: ParsedInstance;
}

export class FolderStore {
  private readonly studyIndex = new Map<string, StoredStudy>();

  private constructor(
    readonly dir: string,
    readonly skipped: readonly SkippedFile[],
  ) {}

  /**
   * Opens (creating it if needed) the folder and indexes every complete Part-10 instance under it;
   * everything else (.partial leftovers, truncated or unparsable files, invalid UIDs) is skipped
   * and listed in `skipped` with the reason.
   */
  static async open(dir: string): Promise<FolderStore> {
    mkdirSync(join(dir, INCOMING_DIR), { recursive: true });
    const unusable: SkippedFile[] = [];
    const store = new FolderStore(dir, unusable);
    for (const full of await walk(dir)) {
      const name = relative(dir, full);
      if (name.endsWith(PARTIAL) || name.startsWith(INCOMING_DIR + sep)) {
        unusable.push({ path: name, reason: 'leftover of an interrupted upload, not served' });
        continue;
      }
      try {
        const bytes = readFileSync(full);
        const stat = statSync(full);
        store.index(checkInstance(name, bytes), full, stat.size, stat.mtimeMs);
      } catch (e) {
        if (!(e instanceof DicomError)) throw e;
        unusable.push({ path: name, reason: e.message });
      }
    }
    return store;
  }

  get studies(): readonly StoredStudy[] {
    return [...this.studyIndex.values()];
  }

  study(studyUID: string): StoredStudy | undefined {
    return this.studyIndex.get(studyUID);
  }

  series(studyUID: string, seriesUID: string): StoredSeries | undefined {
    return this.studyIndex.get(studyUID)?.series.get(seriesUID);
  }

  instance(studyUID: string, seriesUID: string, sopUID: string): StoredInstance | undefined {
    return this.series(studyUID, seriesUID)?.instances.get(sopUID);
  }

  get instanceCount(): number {
    let n = 0;
    for (const s of this.studyIndex.values()) for (const se of s.series.values()) n += se.instances.size;
    return n;
  }

  /**
   * The stored Part-10 bytes of an instance. A file changed on disk since it was indexed is
   * parsed again, and dropped from the index (DicomError) when it is no longer a complete instance.
   */
  read(instance: StoredInstance): Uint8Array {
    const bytes = readFileSync(instance.file);
    const stat = statSync(instance.file);
    if (stat.size !== instance.size || stat.mtimeMs !== instance.mtimeMs) {
      try {
        checkInstance(this.label(instance), bytes);
      } catch (e) {
        this.remove(instance);
        throw e;
      }
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** The instance parsed up to and including its pixel data (for frame and bulk data answers). */
  parse(instance: StoredInstance): Part10File {
    return parsePart10(this.label(instance), asArrayBuffer(this.read(instance)));
  }

  /** A new temporary file for an upload, inside the store folder (so the final rename is atomic). */
  incomingFile(): string {
    return join(this.dir, INCOMING_DIR, `${randomBytes(12).toString('hex')}${PARTIAL}`);
  }

  /**
   * Checks an upload written to `tempFile` (from incomingFile()): a complete instance with valid
   * UIDs, of `studyUID` when given. Throws a DicomError naming `name`, or StudyMismatch; the
   * temporary file is removed when it is refused.
   */
  check(tempFile: string, name: string, studyUID?: string): CheckedUpload {
    try {
      const parsed = checkInstance(name, readFileSync(tempFile));
      if (studyUID !== undefined && parsed.studyInstanceUID !== studyUID) {
        throw new StudyMismatch(
          `${name}: (0020,000D) StudyInstanceUID ${parsed.studyInstanceUID} is not the study ${studyUID} of the request`,
          { ReferencedSOPClassUID: parsed.sopClassUID, ReferencedSOPInstanceUID: parsed.sopInstanceUID },
        );
      }
      return { tempFile, parsed };
    } catch (e) {
      rmSync(tempFile, { force: true });
      throw e;
    }
  }

  /** Moves a checked upload into place (replacing an instance with the same SOPInstanceUID). */
  commit(upload: CheckedUpload): StoredInstance {
    const { parsed } = upload;
    const folder = containedPath(this.dir, parsed.studyInstanceUID, parsed.seriesInstanceUID);
    mkdirSync(folder, { recursive: true });
    const file = containedPath(folder, `${parsed.sopInstanceUID}.dcm`);
    renameSync(upload.tempFile, file);
    const stat = statSync(file);
    const previous = this.findBySop(parsed.sopInstanceUID);
    if (previous) {
      this.remove(previous);
      if (previous.file !== file) rmSync(previous.file, { force: true });
    }
    return this.index(parsed, file, stat.size, stat.mtimeMs);
  }

  /** Removes temporary files of uploads that were not committed. */
  discard(tempFiles: readonly string[]): void {
    for (const f of tempFiles) rmSync(f, { force: true });
  }

  /**
   * Stores one Part-10 instance held in memory (the sample series): the same checks and the same
   * temporary file and rename as an upload.
   */
  store(bytes: Uint8Array, name: string, studyUID?: string): StoredInstance {
    const temp = this.incomingFile();
    writeFileSync(temp, bytes);
    return this.commit(this.check(temp, name, studyUID));
  }

  private label(instance: StoredInstance): string {
    return relative(this.dir, instance.file);
  }

  private findBySop(sopUID: string): StoredInstance | undefined {
    for (const s of this.studyIndex.values())
      for (const se of s.series.values()) {
        const found = se.instances.get(sopUID);
        if (found) return found;
      }
    return undefined;
  }

  private remove(instance: StoredInstance): void {
    const study = this.studyIndex.get(instance.studyInstanceUID);
    const series = study?.series.get(instance.seriesInstanceUID);
    if (series?.instances.get(instance.sopInstanceUID) !== instance) return;
    series.instances.delete(instance.sopInstanceUID);
    if (series.instances.size === 0) study?.series.delete(instance.seriesInstanceUID);
    if (study && study.series.size === 0) this.studyIndex.delete(instance.studyInstanceUID);
  }

  private index(parsed: ParsedInstance, file: string, size: number, mtimeMs: number): StoredInstance {
    const instance: StoredInstance = { ...parsed, file, size, mtimeMs };
    let study = this.studyIndex.get(parsed.studyInstanceUID);
    if (!study) {
      study = { studyInstanceUID: parsed.studyInstanceUID, series: new Map() };
      this.studyIndex.set(parsed.studyInstanceUID, study);
    }
    let series = study.series.get(parsed.seriesInstanceUID);
    if (!series) {
      series = { seriesInstanceUID: parsed.seriesInstanceUID, instances: new Map() };
      study.series.set(parsed.seriesInstanceUID, series);
    }
    series.instances.set(parsed.sopInstanceUID, instance);
    return instance;
  }
}

type ParsedInstance = Omit<StoredInstance, 'file' | 'size' | 'mtimeMs'>;

/** Every file under `dir`, sorted (paths only: files are read one at a time by the caller). */
async function walk(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return Promise.resolve(e.isFile() ? [full] : []);
    }),
  );
  return nested.flat().sort();
}

const UID_TAGS = [
  ['(0020,000D) StudyInstanceUID', 'studyInstanceUID'],
  ['(0020,000E) SeriesInstanceUID', 'seriesInstanceUID'],
  ['(0008,0018) SOPInstanceUID', 'sopInstanceUID'],
  ['(0008,0016) SOPClassUID', 'sopClassUID'],
] as const;

/**
 * A complete instance this store can serve, or a DicomError naming `name`: it parses, its UIDs
 * follow the UID grammar, and an image (Rows and Columns present) holds all its pixel data (a
 * cut file parses up to where it was cut, so the pixel data length is what tells).
 */
function checkInstance(name: string, bytes: Uint8Array): ParsedInstance {
  const part10 = parsePart10(name, asArrayBuffer(bytes));
  const attributes: Dataset = { ...part10.dataset };
  const hasPixels = attributes.PixelData !== undefined && attributes.PixelData !== null;
  delete attributes.PixelData;
  const r = new DatasetReader(attributes, name);
  const parsed: ParsedInstance = {
    studyInstanceUID: r.string('StudyInstanceUID'),
    seriesInstanceUID: r.string('SeriesInstanceUID'),
    sopInstanceUID: r.string('SOPInstanceUID'),
    sopClassUID: r.string('SOPClassUID'),
    transferSyntaxUID: part10.transferSyntaxUID,
    pixelDataVR: hasPixels ? pixelDataVR(part10.dataset, r) : undefined,
    attributes,
  };
  for (const [tag, key] of UID_TAGS)
    if (!isValidUid(parsed[key]))
      throw new DicomError('invalid-tag-value', `${name}: ${tag} ${uidProblem(parsed[key])}`);
  const image = r.optNumber('Rows') !== undefined && r.optNumber('Columns') !== undefined;
  if (image && !hasPixels)
    throw new DicomError(
      'truncated-file',
      `${name}: (7FE0,0010) PixelData missing from an image (Rows and Columns are present): truncated?`,
    );
  if (image) {
    const count = numberOfFrames(attributes, name);
    extractFrames(
      part10,
      Array.from({ length: count }, (_, i) => i + 1),
    );
  }
  return parsed;
}

function pixelDataVR(dataset: Dataset, r: DatasetReader): string {
  const declared = (dataset._vrMap as Record<string, string> | undefined)?.PixelData;
  return declared ?? ((r.optNumber('BitsAllocated') ?? 16) > 8 ? 'OW' : 'OB');
}
