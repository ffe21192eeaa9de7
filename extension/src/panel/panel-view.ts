/**
 * The MedSAM-2 side panel, plain DOM: model status, series, segments, propagation with progress,
 * the per-slice confidence strip, settings and export. It renders controller snapshots and calls
 * controller actions; every control carries a data-cy id for the e2e tests. Each section is its
 * own view (model-view, series-view, segments-view, propagation-view, settings-view, export-view,
 * template-view); this one puts them together, with the notice and the error, in place.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState } from '../host/controller-state';
import { h } from './dom';
import { STYLE } from './controls';
import { exportSection } from './export-view';
import { modelSection } from './model-view';
import { morph } from './morph';
import { PropagationView } from './propagation-view';
import { segmentsSection } from './segments-view';
import { seriesSection } from './series-view';
import { settingsSection } from './settings-view';
import { TemplateView } from './template-view';

export class PanelView {
  private unsubscribe: (() => void) | null = null;
  private readonly root: HTMLElement;
  private readonly propagation: PropagationView;
  private readonly template: TemplateView;
  /** Renders the panel again from the controller's current state. */
  private readonly rerender = (): void => this.render(this.controller.state);

  constructor(
    container: HTMLElement,
    private readonly controller: Medsam2Controller,
  ) {
    this.propagation = new PropagationView(controller);
    this.template = new TemplateView(controller, this.rerender);
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
      modelSection(s, this.controller),
      seriesSection(s, this.controller),
      segmentsSection(s, this.controller, this.rerender),
      this.propagation.render(s),
      settingsSection(s, this.controller, settingsOpen === true),
      exportSection(s, this.controller),
      this.template.render(s),
    ];
    if (s.notice) sections.push(h('div', { 'data-cy': 'medsam2-notice', style: STYLE.warning }, s.notice));
    if (s.error) sections.push(h('div', { 'data-cy': 'medsam2-error', style: STYLE.error }, s.error));
    // In place: the buttons under the pointer stay the same elements (a click is never lost).
    morph(this.root, h('div', { 'data-cy': 'medsam2-panel', style: STYLE.panel }, ...sections));
  }
}
