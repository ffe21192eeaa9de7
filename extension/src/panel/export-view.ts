/**
 * The panel's export section: "Export SEG", the write and store in progress, the SEG series' number
 * and description, a failure, and "Download SEG" when the SEG was not stored.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState } from '../host/controller-state';
import { STYLE, button } from './controls';
import { h } from './dom';

export function exportSection(s: ControllerState, controller: Medsam2Controller): HTMLElement {
  const x = s.export;
  return h(
    'div',
    { style: STYLE.section, 'data-cy': 'medsam2-export', 'data-status': x.status },
    button('medsam2-export-seg', 'Export SEG', () => controller.exportSeg(), {
      disabled: s.series.status !== 'ready' || x.status === 'writing' || x.status === 'storing',
    }),
    x.status === 'writing' || x.status === 'storing'
      ? h('div', { style: STYLE.note }, x.status === 'writing' ? 'Writing SEG…' : 'Storing SEG (STOW-RS)…')
      : null,
    x.status === 'stored'
      ? h('div', { 'data-cy': 'medsam2-export-stored', style: 'color:#8fe08f;' }, x.message ?? 'Stored')
      : null,
    x.seriesNumber !== undefined && x.status !== 'writing' && x.status !== 'storing'
      ? h(
          'div',
          { 'data-cy': 'medsam2-export-name', style: STYLE.note },
          `Series ${x.seriesNumber}: ${x.seriesDescription ?? ''}`,
        )
      : null,
    x.status === 'failed'
      ? h('div', { 'data-cy': 'medsam2-export-error', style: STYLE.error }, x.message ?? 'Export failed')
      : null,
    x.downloadUrl
      ? h(
          'a',
          {
            'data-cy': 'medsam2-download',
            href: x.downloadUrl,
            download: x.fileName ?? 'medsam2-seg.dcm',
            style: 'color:#5acce6;',
          },
          'Download SEG',
        )
      : null,
  );
}
