/**
 * Writes the non-learned baseline model: `npx tsx models/baseline/generator/generate.ts [folder]`
 * (default models/baseline). Deterministic: two runs write byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildBaselineModel } from './baseline-model';

const outDir = process.argv[2] ?? resolve(__dirname, '..');
mkdirSync(outDir, { recursive: true });
for (const [name, bytes] of buildBaselineModel()) writeFileSync(join(outDir, name), bytes);
process.stdout.write(`baseline model (non-learned, not MedSAM-2) written to ${outDir}\n`);
