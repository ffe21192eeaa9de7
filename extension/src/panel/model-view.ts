/**
 * The panel's model section: "Load model", the download's progress, the model's name, size and
 * input size, the backend it runs on (and, in a sentence, each backend given up), a TEST MODEL
 * badge for a generated model, and a model error.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState, ModelState } from '../host/controller-state';
import type { BackendFallback } from '../worker/protocol';
import { STYLE, button } from './controls';
import { h } from './dom';
import { loadedSizeText, loadingText } from './model-download-text';

export function modelSection(s: ControllerState, controller: Medsam2Controller): HTMLElement {
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
          button('medsam2-load-model', 'Load model', () => controller.ensureModel().catch(() => undefined)),
        )
      : null,
    m.status === 'loading' ? modelDownload(m) : null,
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
          ...info.fallbacks.map((f) => fallbackNote(f, info.backend)),
        )
      : null,
    m.status === 'error'
      ? h('div', { 'data-cy': 'medsam2-model-error', style: STYLE.error }, `Model error: ${m.message ?? ''}`)
      : null,
  );
}

/**
 * A backend given up, as one sentence a radiologist can read; the raw reason (browser flags,
 * driver errors) behind "Details".
 */
function fallbackNote(f: BackendFallback, now: string): HTMLElement {
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
function modelDownload(m: ModelState): HTMLElement {
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
