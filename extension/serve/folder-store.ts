/**
 * A DICOM store over a folder of Part-10 files: the PACS behind `npm start` when no other is given.
 * Files found in the folder (any layout) are indexed at open; stored instances are written as
 * <StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm, byte for byte as received, so a
 * retrieve returns exactly what was stored. The index (attributes without pixel data) lives in memory.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Dataset, DatasetReader } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import { type Part10File, parsePart10 } from '../src/dicom/part10';
import { readDicomDirectory } from '../src/node/dicom-files';

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

const SAFE_UID = /^[0-9.]{1,64}$/;

/** A UID as a file or folder name: itself when it is a well-formed UID, else a hash of it. */
const fileNameOf = (uid: string): string =>
  SAFE_UID.test(uid) ? uid : createHash('sha256').update(uid).digest('hex').slice(0, 32);

const asArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export class FolderStore {
  private readonly studyIndex = new Map<string, StoredStudy>();

  private constructor(
    readonly dir: string,
    readonly skipped: readonly SkippedFile[],
  ) {}

  /** Opens (creating it if needed) the folder and indexes every Part-10 instance under it. */
  static async open(dir: string): Promise<FolderStore> {
    mkdirSync(dir, { recursive: true });
    const { files, skipped } = await readDicomDirectory(dir);
    const unusable: SkippedFile[] = [...skipped];
    const store = new FolderStore(dir, unusable);
    for (const f of files) {
      try {
        store.index(parseInstance(f.name, f.bytes), join(dir, f.name));
      } catch (e) {
        if (!(e instanceof DicomError)) throw e;
        unusable.push({ path: f.name, reason: e.message });
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

  /** The stored Part-10 bytes of an instance. */
  read(instance: StoredInstance): Uint8Array {
    return new Uint8Array(readFileSync(instance.file));
  }

  /** The instance parsed up to and including its pixel data (for frame and bulk data answers). */
  parse(instance: StoredInstance): Part10File {
    return parsePart10(this.label(instance), asArrayBuffer(this.read(instance)));
  }

  /**
   * Stores one Part-10 instance (replacing an instance with the same SOPInstanceUID).
   * Throws a DicomError naming `name` when the bytes are not a DICOM instance this store can index,
   * and StudyMismatch when `studyUID` is given and the instance belongs to another study.
   */
  store(bytes: Uint8Array, name: string, studyUID?: string): StoredInstance {
    const parsed = parseInstance(name, asArrayBuffer(bytes));
    if (studyUID !== undefined && parsed.studyInstanceUID !== studyUID) {
      throw new StudyMismatch(
        `${name}: (0020,000D) StudyInstanceUID ${parsed.studyInstanceUID} is not the study ${studyUID} of the request`,
        { ReferencedSOPClassUID: parsed.sopClassUID, ReferencedSOPInstanceUID: parsed.sopInstanceUID },
      );
    }
    const folder = join(this.dir, fileNameOf(parsed.studyInstanceUID), fileNameOf(parsed.seriesInstanceUID));
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${fileNameOf(parsed.sopInstanceUID)}.dcm`);
    // Write then rename: a reader never sees half a file, a crash never leaves one behind.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, file);
    const previous = this.findBySop(parsed.sopInstanceUID);
    if (previous) this.remove(previous);
    return this.index(parsed, file);
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
    series?.instances.delete(instance.sopInstanceUID);
    if (series && series.instances.size === 0) study?.series.delete(instance.seriesInstanceUID);
    if (study && study.series.size === 0) this.studyIndex.delete(instance.studyInstanceUID);
  }

  private index(parsed: ParsedInstance, file: string): StoredInstance {
    const instance: StoredInstance = { ...parsed, file };
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

type ParsedInstance = Omit<StoredInstance, 'file'>;

function parseInstance(name: string, bytes: ArrayBuffer): ParsedInstance {
  const part10 = parsePart10(name, bytes);
  const attributes: Dataset = { ...part10.dataset };
  const hasPixels = attributes.PixelData !== undefined && attributes.PixelData !== null;
  delete attributes.PixelData;
  const r = new DatasetReader(attributes, name);
  return {
    studyInstanceUID: r.string('StudyInstanceUID'),
    seriesInstanceUID: r.string('SeriesInstanceUID'),
    sopInstanceUID: r.string('SOPInstanceUID'),
    sopClassUID: r.string('SOPClassUID'),
    transferSyntaxUID: part10.transferSyntaxUID,
    pixelDataVR: hasPixels ? pixelDataVR(part10.dataset, r) : undefined,
    attributes,
  };
}

function pixelDataVR(dataset: Dataset, r: DatasetReader): string {
  const declared = (dataset._vrMap as Record<string, string> | undefined)?.PixelData;
  return declared ?? ((r.optNumber('BitsAllocated') ?? 16) > 8 ? 'OW' : 'OB');
}
