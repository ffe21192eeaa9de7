/**
 * "Use as template" in the panel: the study's other series to segment (checkboxes), the button
 * that applies the prompted slice in view to every image of them, the run's progress, one row per
 * image with its confidence (a click shows the image; a click on the image with the prompt tool
 * corrects it), and Export: one SEG per series, or why that series gets none.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState, TemplateImageState, TemplateSeriesExport } from '../host/controller-state';
import { STYLE, button } from './controls';
import { h } from './dom';

export class TemplateView {
  /** The display sets ticked, kept across renders. */
  private readonly chosen = new Set<string>();

  constructor(
    private readonly controller: Medsam2Controller,
    /** Renders the panel again (a tick changes what the button can do). */
    private readonly rerender: () => void,
  ) {}

  render(s: ControllerState): HTMLElement {
    const t = s.template;
    const choices = this.controller.templateChoices();
    const running = t.status === 'running' || t.status === 'loading';
    const picked = choices.filter((c) => this.chosen.has(c.displaySetInstanceUID));
    const why = useTemplateWhy(s.series.status, choices.length, picked.length);
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-template', 'data-status': t.status },
      h('div', { style: STYLE.title }, 'Use as template'),
      h(
        'div',
        { style: STYLE.note },
        'The prompted slice in view segments every image of the series ticked (a multi-frame series frame by frame).',
      ),
      ...choices.map((c) =>
        h(
          'label',
          { style: STYLE.row, 'data-cy': 'medsam2-template-choice', 'data-uid': c.displaySetInstanceUID },
          h('input', {
            type: 'checkbox',
            checked: this.chosen.has(c.displaySetInstanceUID),
            onchange: (e: Event) => {
              if ((e.target as HTMLInputElement).checked) this.chosen.add(c.displaySetInstanceUID);
              else this.chosen.delete(c.displaySetInstanceUID);
              this.rerender();
            },
          }),
          `${c.label} (${c.images} ${c.frames ? 'frames' : 'images'})`,
        ),
      ),
      h(
        'div',
        { style: STYLE.row },
        button(
          'medsam2-use-template',
          'Use as template',
          () => this.controller.useAsTemplate(picked.map((c) => c.displaySetInstanceUID)),
          { disabled: why !== undefined || running, why, primary: true },
        ),
        running ? button('medsam2-template-stop', 'Stop', () => this.controller.stopTemplate()) : null,
        t.images.length > 1
          ? button(
              'medsam2-template-undo',
              'Undo correction',
              () => this.controller.undoTemplateCorrection(),
              {
                disabled: running || t.corrections === 0,
                why: running ? undefined : 'Nothing to undo: no correction on the images yet.',
              },
            )
          : null,
        t.images.length > 1
          ? button(
              'medsam2-template-export',
              'Export SEG per series',
              () => this.controller.exportTemplateSegs(),
              {
                disabled: running || t.exporting,
              },
            )
          : null,
      ),
      t.template
        ? h(
            'div',
            {
              'data-cy': 'medsam2-template-show',
              'data-shown': String(t.shown === 0),
              style: `${STYLE.note}cursor:pointer;`,
              title: 'Show the template slice',
              onclick: () => void this.controller.showTemplateImage(0),
            },
            `Template: ${t.template}`,
          )
        : null,
      t.status !== 'idle'
        ? h(
            'div',
            {
              'data-cy': 'medsam2-template-progress',
              'data-done': t.done,
              'data-total': t.total,
              'data-running': String(running),
              style: STYLE.note,
            },
            t.status === 'loading'
              ? 'Reading the images…'
              : `${t.done}/${t.total} images${running ? '' : ' — ' + t.status}`,
          )
        : null,
      t.images.length > 1
        ? h(
            'div',
            {
              'data-cy': 'medsam2-template-images',
              style: 'max-height:220px;overflow:auto;display:flex;flex-direction:column;gap:2px;',
            },
            ...t.images.slice(1).map((img) => this.imageRow(img, img.index === t.shown)),
          )
        : null,
      t.images.length > 1
        ? h('div', { style: STYLE.note }, 'Click a row to show the image; click on the image to correct it.')
        : null,
      ...t.exports.map((x) => this.exportRow(x)),
      t.message
        ? h(
            'div',
            {
              'data-cy': 'medsam2-template-message',
              style: t.status === 'failed' ? STYLE.error : STYLE.warning,
            },
            t.message,
          )
        : null,
    );
  }

  private imageRow(img: TemplateImageState, shown: boolean): HTMLElement {
    const done = img.confidence !== undefined;
    const text = imageResultText(img);
    return h(
      'div',
      {
        'data-cy': 'medsam2-template-image',
        'data-index': img.index,
        'data-confidence': done ? img.confidence?.toFixed(4) : undefined,
        'data-present': done ? String(img.present) : undefined,
        'data-prompted': String(img.prompted),
        'data-area': img.area,
        'data-shown': String(shown),
        style: `${STYLE.row}cursor:pointer;justify-content:space-between;${shown ? 'background:#163047;' : ''}`,
        title: 'Show this image',
        onclick: () => void this.controller.showTemplateImage(img.index),
      },
      h('span', {}, img.name),
      h('span', { style: img.present === false ? STYLE.warning : STYLE.note }, text),
    );
  }

  private exportRow(x: TemplateSeriesExport): HTMLElement {
    return h(
      'div',
      {
        'data-cy': 'medsam2-template-export-result',
        'data-status': x.status,
        'data-uid': x.displaySetInstanceUID,
      },
      h(
        'div',
        {
          style:
            x.status === 'stored' ? 'color:#8fe08f;' : x.status === 'no-seg' ? STYLE.warning : STYLE.error,
        },
        `${x.label}: ${x.message}`,
      ),
      x.downloadUrl
        ? h(
            'a',
            { href: x.downloadUrl, download: x.fileName ?? 'medsam2-seg.dcm', style: 'color:#5acce6;' },
            'Download SEG',
          )
        : null,
    );
  }
}

/** Why "Use as template" cannot run now (its tooltip), or undefined when it can. */
export function useTemplateWhy(seriesStatus: string, choices: number, ticked: number): string | undefined {
  if (seriesStatus !== 'ready') return 'Open a series with the MedSAM-2 tool and click the structure first.';
  if (choices === 0) return 'The study has no other series to segment.';
  if (ticked === 0) return 'Tick the series to segment.';
  return undefined;
}

/** An image's result as its row says it: its confidence, "absent", "corrected"; "…" until done. */
export function imageResultText(img: TemplateImageState): string {
  if (img.confidence === undefined) return '…';
  return `${img.present ? `conf ${img.confidence.toFixed(2)}` : 'absent'}${img.prompted ? ' · corrected' : ''}`;
}
