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

/** Display colours for new segments, sRGB 0..255: the SEG writer's default palette. */
export { SEGMENT_PALETTE as SEGMENT_COLORS } from '../dicom/seg-writer';
