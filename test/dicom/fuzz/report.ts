/** `npx tsx test/dicom/fuzz/report.ts [--details]`: the fuzz corpus's counts, for notes and reviews. */
import { fuzzCorpus } from './corpus';
import { messageProblems, runCorpus, tally, allocationBudget } from './run';

void (async () => {
  const started = Date.now();
  const cases = fuzzCorpus();
  const results = await runCorpus(cases);
  const t = tally(results);
  console.log(JSON.stringify({ ...t, seconds: (Date.now() - started) / 1000 }, null, 2));
  if (process.argv.includes('--details')) {
    const slowest = [...results].sort((a, b) => b.ms - a.ms).slice(0, 5);
    for (const r of slowest) console.log(`SLOW ${r.ms} ms ${r.case.id} [${r.case.what}]`);
    for (const r of results) {
      const tag = `${r.case.id} [${r.case.what}]`;
      if (r.type === 'generic') console.log(`GENERIC ${tag}: ${r.name}: ${r.message.slice(0, 200)}`);
      else if (r.type === 'hang') console.log(`HANG ${tag}`);
      else if (r.type === 'volume' && r.problems.length)
        console.log(`INCONSISTENT ${tag}: ${r.problems.join('; ')}`);
      else if (r.type === 'typed' && messageProblems(r).length)
        console.log(`MESSAGE ${tag}: ${messageProblems(r).join(', ')}: ${r.message.slice(0, 200)}`);
      if (r.largest > allocationBudget(r.case))
        console.log(`ALLOC ${tag}: ${(r.largest / 2 ** 20).toFixed(0)} MiB`);
    }
  }
})();
