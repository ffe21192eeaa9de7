/**
 * Writes the project's analytic test model: `npx tsx models/generate-test-model.ts models/test-tiny`.
 * Deterministic: two runs write byte-identical files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildTestModel } from './onnx/test-tiny-model';

function main(argv: readonly string[]): void {
  const outDir = argv[0];
  if (!outDir) {
    process.stderr.write('usage: tsx models/generate-test-model.ts <output folder>\n');
    process.exit(2);
  }
  mkdirSync(outDir, { recursive: true });
  for (const [name, bytes] of buildTestModel()) writeFileSync(join(outDir, name), bytes);
  process.stdout.write(`test model written to ${outDir}\n`);
}

main(process.argv.slice(2));
