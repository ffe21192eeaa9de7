/**
 * A segment's confidence strip: one cell per slice, in OHIF's order and numbering (cell k = OHIF's
 * image k+1). Colour = confidence (dark = object absent, amber = low confidence, grey = not
 * predicted); a white frame marks a prompted slice; stripes mark a stale slice, whose result the
 * next Update redoes (after a correction). A click on a cell scrolls the viewport there.
 */
import type { SegmentState } from '../host/controller-state';
import { h, rgb } from './dom';

/** Dark stripes over the cell's colour: the result on show is out of date. */
const STALE_STRIPES = 'repeating-linear-gradient(135deg,rgba(0,0,0,0.6) 0 2px,transparent 2px 4px)';

export function confidenceStrip(
  seg: SegmentState,
  threshold: number,
  jump: (imageIndex: number) => void,
): HTMLElement {
  const n = seg.slices.length;
  const stale = new Set(seg.stale);
  const promptedSlices = new Set(seg.promptedSlices);
  const cells = seg.slices.map((r, k) => {
    const low = r !== null && r.present && r.confidence < threshold;
    const color = r === null ? '#2a3440' : !r.present ? '#0d1620' : low ? '#e0a030' : rgb(seg.color);
    const prompted = promptedSlices.has(k) || r?.prompted === true;
    const isStale = stale.has(k);
    const result = r?.given
      ? r.present
        ? 'as opened'
        : 'empty as opened'
      : r?.present
        ? `confidence ${r.confidence.toFixed(2)}`
        : 'object absent';
    const what = r ? `${result}${prompted ? ' (prompted)' : ''}` : '';
    return h('div', {
      'data-cy': `medsam2-confidence-${k}`,
      'data-state': r === null ? 'none' : !r.present ? 'absent' : low ? 'low' : 'ok',
      'data-prompted': prompted ? 'true' : undefined,
      'data-given': r?.given ? 'true' : undefined,
      'data-stale': isStale ? 'true' : undefined,
      'data-confidence': r ? r.confidence.toFixed(3) : undefined,
      title: `slice ${k + 1}/${n}${what ? `: ${what}` : ''}${isStale ? ' — out of date: Update redoes it' : ''}`,
      style:
        `flex:1;min-width:3px;height:14px;cursor:pointer;background:${color};` +
        (isStale ? `background-image:${STALE_STRIPES};` : '') +
        (prompted ? 'outline:2px solid #fff;outline-offset:-2px;' : ''),
      onclick: () => jump(k),
    });
  });
  return h(
    'div',
    {
      'data-cy': `medsam2-confidence-strip-${seg.objectId}`,
      'data-stale-count': seg.stale.length,
      style: 'display:flex;gap:1px;',
    },
    ...cells,
  );
}
