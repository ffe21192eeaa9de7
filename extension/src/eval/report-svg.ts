/**
 * A picture of one structure's evaluation along the volume: per-slice Dice (top) and the model's
 * per-slice confidence (bottom) for every policy / orientation (first seed), with the copy-the-key-
 * slice floor and the key slice marked. Plain SVG, no dependencies.
 */
import type { SliceResult, StructureReport } from './report';

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly dash: string;
  readonly points: readonly { slice: number; value: number | null }[];
}

export function structureSvg(s: StructureReport, title: string): string {
  const W = 900;
  const panelH = 200;
  const left = 50;
  const right = 230;
  const top = 56;
  const gap = 50;
  const plotW = W - left - right;
  const H = top + 2 * panelH + gap + 40;
  const all: SliceResult[] = [
    ...s.floors.flatMap((f) => f.perSlice),
    ...s.results.flatMap((r) => r.seeds[0]?.perSlice ?? []),
  ];
  const lo = Math.min(s.extent.first, ...all.map((p) => p.slice)) - 1;
  const hi = Math.max(s.extent.last, ...all.map((p) => p.slice)) + 1;
  const x = (slice: number) => left + ((slice - lo) / Math.max(1, hi - lo)) * plotW;
  const y = (panel: number, v: number) => top + panel * (panelH + gap) + (1 - v) * panelH;

  const policies = [...new Set(s.results.map((r) => r.policy))];
  const series = (pick: (p: SliceResult) => number | null): Series[] =>
    s.results.map((r) => ({
      label: `${r.policy} / ${r.orientations}`,
      colour: COLOURS[policies.indexOf(r.policy) % COLOURS.length],
      dash: r.orientations === 'all' ? '6 3' : '',
      points: (r.seeds[0]?.perSlice ?? []).map((p) => ({ slice: p.slice, value: pick(p) })),
    }));
  const floor = s.floors.find((f) => f.name === 'copy-key-slice');
  const diceSeries: Series[] = [
    ...(floor
      ? [
          {
            label: 'floor: copy key slice',
            colour: '#777',
            dash: '2 3',
            points: floor.perSlice.map((p) => ({ slice: p.slice, value: p.dice })),
          },
        ]
      : []),
    ...series((p) => p.dice),
  ];
  const confSeries = series((p) => p.confidence);

  const path = (panel: number, sr: Series) => {
    let d = '';
    let pen = false;
    for (const p of [...sr.points].sort((a, b) => a.slice - b.slice)) {
      if (p.value === null) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.slice).toFixed(1)},${y(panel, p.value).toFixed(1)}`;
      pen = true;
    }
    return d
      ? `<path d="${d}" fill="none" stroke="${sr.colour}" stroke-width="1.5"${sr.dash ? ` stroke-dasharray="${sr.dash}"` : ''}/>`
      : '';
  };
  const axes = (panel: number, name: string) => {
    const y0 = y(panel, 0);
    const y1 = y(panel, 1);
    const ticks = [0, 0.25, 0.5, 0.75, 1]
      .map(
        (v) =>
          `<line x1="${left}" x2="${left + plotW}" y1="${y(panel, v)}" y2="${y(panel, v)}" stroke="#eee"/>` +
          `<text x="${left - 6}" y="${y(panel, v) + 4}" text-anchor="end" font-size="10">${v}</text>`,
      )
      .join('');
    const step = Math.max(1, Math.ceil((hi - lo) / 12));
    const xt: string[] = [];
    for (let k = Math.ceil(lo / step) * step; k <= hi; k += step)
      xt.push(`<text x="${x(k)}" y="${y0 + 14}" text-anchor="middle" font-size="10">${k}</text>`);
    return (
      ticks +
      xt.join('') +
      `<rect x="${left}" y="${y1}" width="${plotW}" height="${panelH}" fill="none" stroke="#333"/>` +
      `<text x="${left}" y="${y1 - 6}" font-size="12" font-weight="bold">${name}</text>`
    );
  };
  const keyX = x(s.keySlice);
  const legend = diceSeries
    .map(
      (sr, i) =>
        `<line x1="${W - right + 15}" x2="${W - right + 45}" y1="${top + 10 + i * 16}" y2="${top + 10 + i * 16}" stroke="${sr.colour}" stroke-width="2"${sr.dash ? ` stroke-dasharray="${sr.dash}"` : ''}/>` +
        `<text x="${W - right + 50}" y="${top + 14 + i * 16}" font-size="11">${escapeXml(sr.label)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escapeXml(title)}</text>`,
    axes(0, 'per-slice Dice'),
    axes(1, 'per-slice confidence (predicted IoU, prompted axis)'),
    `<line x1="${keyX}" x2="${keyX}" y1="${y(0, 1)}" y2="${y(1, 0)}" stroke="#000" stroke-dasharray="1 2"/>`,
    `<text x="${keyX + 3}" y="${y(1, 0) + 28}" font-size="10">key slice ${s.keySlice}</text>`,
    `<text x="${left + plotW / 2}" y="${H - 6}" text-anchor="middle" font-size="11">axial slice</text>`,
    ...diceSeries.map((sr) => path(0, sr)),
    ...confSeries.map((sr) => path(1, sr)),
    legend,
    '</svg>',
    '',
  ].join('\n');
}
