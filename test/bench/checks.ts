/** Sanity of one backend run of the benchmark: every figure present, positive and finite, shares in [0, 1). */
import type { BackendRun, BenchPlan } from '../../extension/src/cli/bench-measures';

const GRAPHS = ['image_encoder', 'memory_attention', 'mask_decoder', 'memory_encoder'];

/** What is wrong with `run`, one line per figure ([] when sane). Times are not judged, only their form. */
export function runProblems(run: BackendRun, plan: BenchPlan): string[] {
  const problems: string[] = [];
  const positive = (name: string, x: unknown) => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0)
      problems.push(`${run.id}: ${name} = ${String(x)} is not a positive finite number`);
  };
  const share = (name: string, x: unknown, open: boolean) => {
    if (typeof x !== 'number' || !(open ? x > 0 : x >= 0) || !(x < 1))
      problems.push(`${run.id}: ${name} = ${String(x)} is not in ${open ? '(0, 1)' : '[0, 1)'}`);
  };
  const m = run.measures;
  if (Object.keys(m.graphMs).sort().join() !== [...GRAPHS].sort().join())
    problems.push(`${run.id}: graphMs has ${Object.keys(m.graphMs).join(', ')}`);
  for (const g of GRAPHS) positive(`graphMs.${g}`, m.graphMs[g as keyof typeof m.graphMs]);
  for (const policy of ['sam2-fifo', 'paper'] as const) {
    positive(`perSlice.${policy}.msPerSlice`, m.perSlice[policy]?.msPerSlice);
    positive(`perSlice.${policy}.medianMsPerSlice`, m.perSlice[policy]?.medianMsPerSlice);
    // The paper bank always computes similarities; FIFO's bookkeeping may be below the clock's resolution.
    share(`perSlice.${policy}.bank.fraction`, m.perSlice[policy]?.bank.fraction, policy === 'paper');
    if (!(m.perSlice[policy]?.bank.msPerSlice >= 0))
      problems.push(`${run.id}: perSlice.${policy}.bank.msPerSlice = ${m.perSlice[policy]?.bank.msPerSlice}`);
  }
  const sizes = m.volumes.map((v) => v.slices);
  if (sizes.join() !== plan.volumes.join())
    problems.push(`${run.id}: volumes ran ${sizes.join(',')}, the plan asked ${plan.volumes.join(',')}`);
  for (const v of m.volumes) {
    positive(`volumes[${v.slices}].seconds`, v.seconds);
    positive(`volumes[${v.slices}].slicesPerSecond`, v.slicesPerSecond);
    positive(`volumes[${v.slices}].medianMsPerSlice`, v.medianMsPerSlice);
    positive(`volumes[${v.slices}].encoderCacheMb`, v.encoderCacheMb);
    share(`volumes[${v.slices}].bank.fraction`, v.bank.fraction, true);
  }
  positive('firstMaskMs.cold', m.firstMaskMs.cold);
  positive('firstMaskMs.cached', m.firstMaskMs.cached);
  positive('encoderCacheMb', m.encoderCacheMb);
  positive('memory.peakRssMb', run.memory.peakRssMb);
  positive('memory.peakJsHeapMb', run.memory.peakJsHeapMb);
  // Sampled after the largest run's last slice, the heap holds at least the cached encoder features.
  if (!(run.memory.peakJsHeapMb >= m.encoderCacheMb))
    problems.push(
      `${run.id}: peak JS heap ${run.memory.peakJsHeapMb} MB < encoder cache ${m.encoderCacheMb} MB`,
    );
  if (!run.description) problems.push(`${run.id}: no description`);
  return problems;
}
