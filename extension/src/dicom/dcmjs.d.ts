/**
 * The part of dcmjs 0.52 this layer uses (dcmjs ships no type declarations).
 * A naturalized data set maps DICOM keywords to values: scalars for single values, arrays for
 * multiple values, arrays of data sets for sequences, ArrayBuffers for bulk data.
 */
declare module 'dcmjs' {
  export interface DicomElement {
    vr: string;
    Value: unknown[];
  }
  export type DicomElements = Record<string, DicomElement>;

  export interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
    forceStoreRaw?: boolean;
  }

  export interface WriteOptions {
    allowInvalidVRLength?: boolean;
    fragmentMultiframe?: boolean;
  }

  export namespace data {
    class DicomDict {
      constructor(meta: DicomElements);
      meta: DicomElements;
      dict: DicomElements;
      write(options?: WriteOptions): ArrayBuffer;
    }
    class DicomMessage {
      static readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
    }
    const DicomMetaDictionary: {
      naturalizeDataset(elements: DicomElements): Record<string, unknown>;
      denaturalizeDataset(dataset: Record<string, unknown>): DicomElements;
      nameMap: Record<string, { tag: string; vr: string; name: string } | undefined>;
      dictionary: Record<string, { tag: string; vr: string; name: string } | undefined>;
    };
    const Colors: {
      rgb82DICOMLAB(rgb: ArrayLike<number>): number[];
      dicomlab2RGB8(lab: ArrayLike<number>): number[];
    };
  }

  export interface Logger {
    setLevel(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent' | number): void;
    getLevel(): number;
    getLogger(name: string): Logger;
  }
  export const log: Logger;

  /** Viewer adapters (the tests build another tool's SEG with the cornerstone one). */
  export const adapters: { readonly Cornerstone: { readonly Segmentation: unknown } };
}
