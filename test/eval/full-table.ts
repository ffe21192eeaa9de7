/**
 * The full evaluation table (not a test; minutes): Colin27 + AAL from Debian's mricron-data, deep
 * grey-matter structures of both kinds of difficulty, every bank policy, single vs all orientations,
 * three seeds, floors beside them.
 *
 *   npx tsx test/eval/full-table.ts [model dir = models/baseline] [out dir = eval-results] [prompt = click]
 *
 * Each structure is cropped to its box + 8 voxels before segmenting (the report says so).
 */
import path from 'node:path';
import { runEval } from '../../extension/src/cli/eval';
import { AAL, CH2 } from './helpers';

/** Thalamus L/R, putamen L/R, caudate L, pallidum L, hippocampus L, amygdala L. */
export const FULL_TABLE_STRUCTURES = [77, 78, 73, 74, 71, 75, 37, 41];

async function main(): Promise<void> {
  const [model = 'models/baseline', outDir = 'eval-results', prompt = 'click'] = process.argv.slice(2);
  const out = path.join(outDir, `aal-${prompt}.json`);
  await runEval(
    [
      ...['--image', CH2, '--labels', AAL, '--label-ids', FULL_TABLE_STRUCTURES.join(','), '--model', model],
      ...['--prompt', prompt, '--policies', 'all', '--orientations', 'single,all', '--seeds', '0,1,2'],
      ...['--crop-margin', '8', '--out', out],
    ],
    (l) => process.stderr.write(l + '\n'),
  );
  process.stdout.write(`full table: ${out.replace(/\.json$/, '.md')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
