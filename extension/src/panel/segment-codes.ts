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

const [TISSUE, ANATOMY, ALTERED] = CATEGORY_CHOICES;

/**
 * Common anatomy and lesion types (SNOMED CT), each with the category it belongs to; the panel's
 * type search offers these (searchable by name), and picking one sets the category too.
 */
export const TYPE_CATALOG: readonly { readonly type: Code; readonly category: Code }[] = [
  { type: code('85756007', 'SCT', 'Tissue'), category: TISSUE },
  { type: code('113343008', 'SCT', 'Organ'), category: ANATOMY },
  { type: code('108369006', 'SCT', 'Neoplasm'), category: ALTERED },
  { type: code('52988006', 'SCT', 'Lesion'), category: ALTERED },
  { type: code('12738006', 'SCT', 'Brain'), category: ANATOMY },
  { type: code('39607008', 'SCT', 'Lung'), category: ANATOMY },
  { type: code('10200004', 'SCT', 'Liver'), category: ANATOMY },
  { type: code('64033007', 'SCT', 'Kidney'), category: ANATOMY },
  { type: code('78961009', 'SCT', 'Spleen'), category: ANATOMY },
  { type: code('15776009', 'SCT', 'Pancreas'), category: ANATOMY },
  { type: code('23451007', 'SCT', 'Adrenal gland'), category: ANATOMY },
  { type: code('28231008', 'SCT', 'Gallbladder'), category: ANATOMY },
  { type: code('69695003', 'SCT', 'Stomach'), category: ANATOMY },
  { type: code('2748008', 'SCT', 'Spinal cord'), category: ANATOMY },
  { type: code('44567001', 'SCT', 'Trachea'), category: ANATOMY },
  { type: code('59441001', 'SCT', 'Lymph node'), category: ANATOMY },
];

export const TYPE_CHOICES: readonly Code[] = TYPE_CATALOG.map((t) => t.type);

/** The catalogue entry whose name matches `text` (case and spacing ignored). */
export function findType(text: string): { type: Code; category: Code } | undefined {
  const key = text.trim().toLowerCase();
  return TYPE_CATALOG.find((t) => t.type.meaning.toLowerCase() === key);
}

/** Display colours for new segments, sRGB 0..255: the SEG writer's default palette. */
export { SEGMENT_PALETTE as SEGMENT_COLORS } from '../dicom/seg-writer';
