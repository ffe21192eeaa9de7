/**
 * Transfer syntaxes: which ones this layer reads, and names for the ones it cannot decode so an
 * error says what the file is ("JPEG 2000 Image Compression"), not only its UID.
 */

export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  RLELossless: '1.2.840.10008.1.2.5',
} as const;

/** How the pixel data of a transfer syntax is laid out, for the ones decoded here. */
export type PixelEncoding = 'native-little-endian' | 'native-big-endian' | 'rle';

const ENCODINGS: Record<string, PixelEncoding> = {
  [TransferSyntax.ImplicitVRLittleEndian]: 'native-little-endian',
  [TransferSyntax.ExplicitVRLittleEndian]: 'native-little-endian',
  // dcmjs inflates the data set; the pixel data inside is native little endian.
  [TransferSyntax.DeflatedExplicitVRLittleEndian]: 'native-little-endian',
  [TransferSyntax.ExplicitVRBigEndian]: 'native-big-endian',
  [TransferSyntax.RLELossless]: 'rle',
};

const COMPRESSED_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction (Process 14 SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.92': 'JPEG 2000 Part 2 Multi-component (Lossless Only)',
  '1.2.840.10008.1.2.4.93': 'JPEG 2000 Part 2 Multi-component',
  '1.2.840.10008.1.2.4.100': 'MPEG2 Main Profile @ Main Level',
  '1.2.840.10008.1.2.4.102': 'MPEG-4 AVC/H.264 High Profile',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.202': 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
};

export const isEncapsulated = (uid: string): boolean =>
  uid === TransferSyntax.RLELossless || uid in COMPRESSED_NAMES;

/** A readable name for a transfer syntax UID. */
export function transferSyntaxName(uid: string): string {
  const named: Record<string, string> = {
    [TransferSyntax.ImplicitVRLittleEndian]: 'Implicit VR Little Endian',
    [TransferSyntax.ExplicitVRLittleEndian]: 'Explicit VR Little Endian',
    [TransferSyntax.DeflatedExplicitVRLittleEndian]: 'Deflated Explicit VR Little Endian',
    [TransferSyntax.ExplicitVRBigEndian]: 'Explicit VR Big Endian (retired)',
    [TransferSyntax.RLELossless]: 'RLE Lossless',
    ...COMPRESSED_NAMES,
  };
  return named[uid] ?? 'unknown transfer syntax';
}

/** The pixel encoding, or undefined when this layer has no decoder for the syntax. */
export const pixelEncodingOf = (uid: string): PixelEncoding | undefined => ENCODINGS[uid];

/** Syntaxes dcmjs can parse as a data set (native ones and any encapsulated one). */
export const isParseable = (uid: string): boolean => uid in ENCODINGS || isEncapsulated(uid);
