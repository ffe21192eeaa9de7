/**
 * The MedSAM-2 side panel, plain DOM: model status, series, segments, propagation with progress,
 * the per-slice confidence strip, settings and export. It renders controller snapshots and calls
 * controller actions; every control carries a data-cy id for the e2e tests.
 */
import { type Workflow, WORKFLOWS } from '../engine/session';
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState, ModelState, SegmentState } from '../host/controller-state';
import type { BackendFallback } from '../worker/protocol';
import { h, hexToRgb, rgbToHex } from './dom';
import { confidenceStrip } from './confidence-strip';
import { STYLE, button } from './controls';
import { morph } from './morph';
import { openSegControl, openedFromNote } from './open-seg-view';
import { PropagationView } from './propagation-view';
import { TemplateView } from './template-view';
import { CATEGORY_CHOICES, TYPE_CHOICES, findType } from './segment-codes';
import { loadedSizeText, loadingText } from './model-download-text';

export class PanelView {
  private unsubscribe: (() => void) | null = null;
  private readonly root: HTMLElement;
  private readonly propagation: PropagationView;
  private readonly template: TemplateView;

  constructor(
    container: HTMLElement,
    private readonly controller: Medsam2Controller,
  ) {
    this.propagation = new PropagationView(controller);
    this.template = new TemplateView(controller, () => this.render(controller.state));
    this.root = h('div', { 'data-cy': 'medsam2-panel', style: STYLE.panel });
    container.replaceChildren(this.root);
    this.unsubscribe = controller.subscribe((s) => this.render(s));
  }

  dispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.root.remove();
  }

  private render(s: ControllerState): void {
    // A field being edited keeps its text: skip re-rendering while focus is inside the panel's inputs.
    const focused = document.activeElement;
    if (focused instanceof HTMLInputElement && this.root.contains(focused) && focused.type === 'text') return;
    // Every render rebuilds the panel: the Settings section stays as the user left it.
    const settingsOpen = this.root.querySelector<HTMLDetailsElement>('[data-cy="medsam2-settings"]')?.open;
    const sections: HTMLElement[] = [
      this.modelSection(s),
      this.seriesSection(s),
      this.segmentsSection(s),
      this.propagation.render(s),
      this.settingsSection(s, settingsOpen === true),
      this.exportSection(s),
      this.template.render(s),
    ];
    if (s.notice) sections.push(h('div', { 'data-cy': 'medsam2-notice', style: STYLE.warning }, s.notice));
    if (s.error) sections.push(h('div', { 'data-cy': 'medsam2-error', style: STYLE.error }, s.error));
    // In place: the buttons under the pointer stay the same elements (a click is never lost).
    morph(this.root, h('div', { 'data-cy': 'medsam2-panel', style: STYLE.panel }, ...sections));
  }

  private modelSection(s: ControllerState): HTMLElement {
    const m = s.model;
    const info = m.info;
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-model', 'data-status': m.status },
      h('div', { style: STYLE.title }, 'MedSAM-2 model'),
      info?.testModel
        ? h(
            'div',
            { 'data-cy': 'medsam2-test-model', style: STYLE.row },
            h('span', { style: STYLE.badge }, 'TEST MODEL'),
            h('span', { style: STYLE.note }, 'not for clinical use: a tiny generated model'),
          )
        : null,
      m.status === 'idle'
        ? h(
            'div',
            { style: STYLE.row },
            button('medsam2-load-model', 'Load model', () =>
              this.controller.ensureModel().catch(() => undefined),
            ),
          )
        : null,
      m.status === 'loading' ? this.modelDownload(m) : null,
      info
        ? h(
            'div',
            { style: STYLE.note },
            h(
              'div',
              { 'data-cy': 'medsam2-model-name' },
              `${info.name} ${info.version}${m.bytes ? ` · ${loadedSizeText(m.bytes, m.cached)}` : ''} · S=${info.imageSize}`,
            ),
            h(
              'div',
              {},
              'Backend: ',
              h('b', { 'data-cy': 'medsam2-backend', 'data-backend': info.backend }, info.backend),
              ` — ${info.backendDescription}`,
            ),
            ...info.fallbacks.map((f) => this.fallbackNote(f, info.backend)),
          )
        : null,
      m.status === 'error'
        ? h(
            'div',
            { 'data-cy': 'medsam2-model-error', style: STYLE.error },
            `Model error: ${m.message ?? ''}`,
          )
        : null,
    );
  }

  /**
   * A backend given up, as one sentence a radiologist can read; the raw reason (browser flags,
   * driver errors) behind "Details".
   */
  private fallbackNote(f: BackendFallback, now: string): HTMLElement {
    const where = now === 'wasm' ? 'on the CPU (WebAssembly)' : `on ${now}`;
    const sentence = f.duringInference
      ? `The graphics card stopped responding; MedSAM-2 moved ${where} and carried on.`
      : f.name === 'webgpu'
        ? `This browser offers no GPU to web pages, so MedSAM-2 runs ${where}: it works, only slower.`
        : `${f.name} could not be used, so MedSAM-2 runs ${where}.`;
    return h(
      'div',
      {
        'data-cy': `medsam2-fallback-${f.name}`,
        'data-during': f.duringInference ? 'inference' : 'load',
        style: f.duringInference ? STYLE.warning : undefined,
      },
      h('span', { 'data-cy': `medsam2-fallback-${f.name}-text` }, sentence),
      h(
        'details',
        { 'data-cy': `medsam2-fallback-${f.name}-details` },
        h('summary', { style: 'cursor:pointer;' }, 'Details'),
        h('div', { style: 'word-break:break-word;' }, `${f.name}: ${f.error}`),
      ),
    );
  }

  /** "Loading model and runtime: 12.3 / 80.0 MB" with a bar, once the sizes are known. */
  private modelDownload(m: ModelState): HTMLElement {
    const { loaded, bytes: total, cached } = m;
    const text = loaded === undefined ? `Loading model from ${m.url} …` : loadingText(loaded, total, cached);
    const fraction = total && loaded !== undefined ? Math.min(1, loaded / total) : 0;
    return h(
      'div',
      { 'data-cy': 'medsam2-model-loading', style: STYLE.note },
      h('div', { 'data-cy': 'medsam2-model-progress-text' }, text),
      h(
        'div',
        { style: STYLE.track },
        h('div', {
          'data-cy': 'medsam2-model-progress',
          'data-loaded': loaded ?? 0,
          'data-total': total ?? 0,
          'data-cached': cached ?? 0,
          style: `height:100%;width:${(fraction * 100).toFixed(1)}%;background:#2b8bc6;`,
        }),
      ),
    );
  }

  private seriesSection(s: ControllerState): HTMLElement {
    const r = s.series;
    const text =
      r.status === 'none'
        ? s.toolActive && s.model.status !== 'error'
          ? 'The series opens as soon as the model is loaded.'
          : 'Press the MedSAM-2 tool and click on a slice.'
        : r.status === 'loading'
          ? `Reading ${r.label ?? 'series'}: ${r.loaded ?? 0}/${r.total ?? '?'} images`
          : r.status === 'ready'
            ? `${r.label ?? ''} · ${r.slices} slices`
            : `Cannot use ${r.label ?? 'this series'}: ${r.message ?? ''}`;
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-series', 'data-status': r.status },
      h(
        'div',
        { style: STYLE.row },
        button(
          'medsam2-activate-tool',
          s.toolActive ? 'MedSAM-2 tool on' : 'MedSAM-2 tool',
          () => this.controller.activatePromptTool(),
          { primary: !s.toolActive },
        ),
        button('medsam2-undo', 'Undo', () => this.controller.undo(), {
          disabled: !s.canUndo,
          why: 'Nothing to undo: no prompt yet.',
        }),
        button('medsam2-accept', 'Accept', () => this.controller.accept(), {
          disabled: r.status !== 'ready',
          why: 'Nothing to accept: no series open yet.',
        }),
      ),
      h(
        'div',
        {
          style: r.status === 'error' ? STYLE.error : STYLE.note,
          'data-cy': r.status === 'error' ? 'medsam2-series-error' : 'medsam2-series-text',
        },
        text,
      ),
      h(
        'div',
        { style: STYLE.note },
        'Click = include · Shift-click or right-click = exclude · Drag = box · Alt-drag = scribble (Alt+Shift: exclude) · Shift-drag = lasso',
      ),
      s.saved ? this.savedWork(s.saved) : null,
    );
  }

  /** Whether the work survives a reload (or what was restored), with "Clear saved work". */
  private savedWork(saved: NonNullable<ControllerState['saved']>): HTMLElement {
    return h(
      'div',
      { style: STYLE.row, 'data-cy': 'medsam2-saved', 'data-status': saved.status },
      h(
        'span',
        { style: saved.status === 'not-kept' ? STYLE.warning : STYLE.note, 'data-cy': 'medsam2-saved-text' },
        saved.message,
      ),
      saved.status === 'cleared' || saved.status === 'restoring'
        ? null
        : button('medsam2-clear-saved', 'Clear saved work', () => this.controller.clearSavedWork()),
    );
  }

  private segmentsSection(s: ControllerState): HTMLElement {
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-segments' },
      h(
        'div',
        { style: STYLE.row },
        h('span', { style: STYLE.title }, 'Segments'),
        button('medsam2-add-segment', '+ Add', () => this.controller.addSegment(), {
          disabled: s.series.status !== 'ready',
          why: 'Open a series with the MedSAM-2 tool first.',
        }),
        openSegControl(
          s,
          this.controller.segChoices(),
          (uid) => void this.controller.openSeg(uid),
          STYLE.input,
        ),
      ),
      s.busy ? h('div', { 'data-cy': 'medsam2-busy', style: STYLE.note }, s.busy) : null,
      ...s.segments.map((seg) =>
        this.segmentRow(seg, seg.objectId === s.activeObjectId, s.settings.confidenceThreshold),
      ),
    );
  }

  private segmentRow(seg: SegmentState, active: boolean, threshold: number): HTMLElement {
    const id = seg.objectId;
    const select = (
      cy: string,
      choices: typeof CATEGORY_CHOICES,
      current: SegmentState['type'],
      set: (v: number) => void,
    ) =>
      h(
        'select',
        {
          'data-cy': cy,
          style: STYLE.input,
          onchange: (e: Event) => {
            const i = Number((e.target as HTMLSelectElement).value);
            if (i >= 0) set(i);
          },
        },
        // A code from elsewhere (an opened SEG's) is shown as it is, not as the list's first entry.
        choices.some((c) => c.value === current.value)
          ? null
          : h('option', { value: -1, selected: true }, current.meaning),
        ...choices.map((c, i) => h('option', { value: i, selected: c.value === current.value }, c.meaning)),
      );
    return h(
      'div',
      {
        'data-cy': `medsam2-segment-${id}`,
        'data-active': active ? 'true' : 'false',
        style: `display:flex;flex-direction:column;gap:4px;padding:4px;border-radius:4px;${active ? 'background:#12263a;border:1px solid #2b8bc6;' : 'border:1px solid transparent;'}`,
      },
      h(
        'div',
        { style: STYLE.row },
        h('input', {
          type: 'radio',
          name: 'medsam2-active-segment',
          'data-cy': `medsam2-segment-select-${id}`,
          checked: active,
          onchange: () => this.controller.selectSegment(id),
        }),
        h('input', {
          type: 'color',
          'data-cy': `medsam2-segment-color-${id}`,
          value: rgbToHex(seg.color),
          onchange: (e: Event) =>
            this.controller.setSegmentColor(id, hexToRgb((e.target as HTMLInputElement).value)),
        }),
        h('input', {
          type: 'text',
          'data-cy': `medsam2-segment-label-${id}`,
          value: seg.label,
          style: `${STYLE.input}flex:1;min-width:80px;`,
          onchange: (e: Event) => this.controller.renameSegment(id, (e.target as HTMLInputElement).value),
          onblur: () => this.render(this.controller.state),
        }),
      ),
      h(
        'div',
        { style: STYLE.row },
        select(`medsam2-segment-category-${id}`, CATEGORY_CHOICES, seg.category, (i) =>
          this.controller.setSegmentCodes(id, { category: CATEGORY_CHOICES[i] }),
        ),
        select(`medsam2-segment-type-${id}`, TYPE_CHOICES, seg.type, (i) =>
          this.controller.setSegmentCodes(id, { type: TYPE_CHOICES[i] }),
        ),
      ),
      h(
        'div',
        { style: STYLE.row },
        h('input', {
          type: 'text',
          list: 'medsam2-type-catalog',
          'data-cy': `medsam2-segment-type-search-${id}`,
          placeholder: 'Find a structure (SNOMED CT)…',
          style: `${STYLE.input}flex:1;min-width:80px;`,
          onchange: (e: Event) => {
            const found = findType((e.target as HTMLInputElement).value);
            if (found) this.controller.setSegmentCodes(id, found);
            (e.target as HTMLInputElement).value = '';
          },
          onblur: () => this.render(this.controller.state),
        }),
        h(
          'datalist',
          { id: 'medsam2-type-catalog' },
          ...TYPE_CHOICES.map((c) => h('option', { value: c.meaning })),
        ),
      ),
      openedFromNote(seg.openedFrom, id, STYLE.note),
      confidenceStrip(seg, threshold, (k) => void this.controller.jumpToSlice(k)),
    );
  }

  private settingsSection(s: ControllerState, open: boolean): HTMLElement {
    const st = s.settings;
    const num = (cy: string, value: number, step: number, set: (v: number) => void) =>
      h('input', {
        type: 'number',
        'data-cy': cy,
        value,
        step,
        style: `${STYLE.input}width:64px;`,
        onchange: (e: Event) => set(Number((e.target as HTMLInputElement).value)),
      });
    return h(
      'details',
      { style: STYLE.section, 'data-cy': 'medsam2-settings', open },
      h('summary', { style: 'cursor:pointer;' }, 'Settings'),
      h(
        'label',
        { style: STYLE.row, title: 'Otherwise the strip marks them stale until you press Update.' },
        h('input', {
          type: 'checkbox',
          'data-cy': 'medsam2-setting-auto-update',
          checked: st.autoUpdate,
          onchange: (e: Event) =>
            this.controller.updateSettings({ autoUpdate: (e.target as HTMLInputElement).checked }),
        }),
        'Update automatically after a correction',
      ),
      h(
        'div',
        { 'data-cy': 'medsam2-settings-hint', style: STYLE.note },
        'Changes apply at the next Propagate, to this series too: it is redone from its prompts.',
      ),
      h(
        'label',
        { style: STYLE.row },
        'Memory bank',
        h(
          'select',
          {
            'data-cy': 'medsam2-setting-policy',
            style: STYLE.input,
            onchange: (e: Event) =>
              this.controller.updateSettings({
                policy: (e.target as HTMLSelectElement).value as BankPolicyName,
              }),
          },
          ...BANK_POLICY_NAMES.map((n) => h('option', { value: n, selected: n === st.policy }, n)),
        ),
      ),
      h(
        'label',
        { style: STYLE.row },
        'K',
        num('medsam2-setting-k', st.capacity, 1, (v) => this.controller.updateSettings({ capacity: v })),
        'IoU threshold',
        num('medsam2-setting-threshold', st.confidenceThreshold, 0.05, (v) =>
          this.controller.updateSettings({ confidenceThreshold: v }),
        ),
      ),
      h(
        'label',
        { style: STYLE.row },
        'Orientations',
        h(
          'select',
          {
            'data-cy': 'medsam2-setting-orientations',
            style: STYLE.input,
            onchange: (e: Event) =>
              this.controller.updateSettings({
                orientations: (e.target as HTMLSelectElement).value === 'all' ? 'all' : 'single',
              }),
          },
          h('option', { value: 'single', selected: st.orientations === 'single' }, 'acquisition plane'),
          h('option', { value: 'all', selected: st.orientations === 'all' }, 'all six (§3.3)'),
        ),
      ),
      h(
        'label',
        { style: STYLE.row },
        'Workflow',
        h(
          'select',
          {
            'data-cy': 'medsam2-setting-workflow',
            style: STYLE.input,
            onchange: (e: Event) =>
              this.controller.updateSettings({
                workflow: workflowOf((e.target as HTMLSelectElement).value),
              }),
          },
          h('option', { value: 'sam2', selected: st.workflow === 'sam2' }, 'SAM 2 video predictor'),
          h(
            'option',
            { value: 'medsam2', selected: st.workflow === 'medsam2' },
            'MedSAM2 (box → mask, forward then backward)',
          ),
          h(
            'option',
            { value: 'medsam2-box', selected: st.workflow === 'medsam2-box' },
            'MedSAM2 (box in both passes)',
          ),
        ),
      ),
    );
  }

  private exportSection(s: ControllerState): HTMLElement {
    const x = s.export;
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-export', 'data-status': x.status },
      button('medsam2-export-seg', 'Export SEG', () => this.controller.exportSeg(), {
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
}

const workflowOf = (value: string): Workflow =>
  (WORKFLOWS as readonly string[]).includes(value) ? (value as Workflow) : 'sam2';
