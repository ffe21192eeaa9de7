/**
 * Segmented Property Category / Type choices offered in the panel (SNOMED CT, DICOM CID 7150 /
 * 7151 subsets). The SEG writer defaults to Tissue / Tissue when the user picks nothing.
 */
import { type Code, code } from '../dicom/codes';

export const CATEGORY_CHOICES: readonly Code[] = [
  code('85756007', 'SCT', 'Tissue'),
  code('91723000', 'SCT', 'Anatomical Structure'),
  code('49755003', 'SCT', 'Morphologically Altered Structure'),
];

export const TYPE_CHOICES: readonly Code[] = [
  code('85756007', 'SCT', 'Tissue'),
  code('113343008', 'SCT', 'Organ'),
  code('108369006', 'SCT', 'Neoplasm'),
  code('52988006', 'SCT', 'Lesion'),
  code('12738006', 'SCT', 'Brain'),
  code('39607008', 'SCT', 'Lung'),
  code('10200004', 'SCT', 'Liver'),
  code('64033007', 'SCT', 'Kidney'),
];

/** Display colours for new segments, sRGB 0..255. */
export const SEGMENT_COLORS: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
];
