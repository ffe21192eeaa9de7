/**
 * The panel as the host's React sees it, without a React of our own: OHIF renders panel
 * components with its React 18, which is not exposed to run-time-loaded extensions, and hooks of
 * a second React copy break. This function component uses no hooks; it returns one host `div`
 * element (React elements are plain objects keyed by the global `Symbol.for('react.element')`),
 * whose callback ref mounts and unmounts the plain-DOM PanelView.
 */
import type { Medsam2Controller } from '../host/controller';
import { PanelView } from './panel-view';

const REACT_ELEMENT = Symbol.for('react.element');

interface HostElement {
  readonly $$typeof: symbol;
  readonly type: string;
  readonly key: null;
  readonly ref: (el: HTMLElement | null) => void;
  readonly props: Record<string, unknown>;
  readonly _owner: null;
}

export function createPanelComponent(controller: () => Medsam2Controller) {
  let view: PanelView | null = null;
  // One stable ref callback: React calls it with the div on mount and null on unmount.
  const attach = (el: HTMLElement | null) => {
    view?.dispose();
    view = el ? new PanelView(el, controller()) : null;
  };
  function MedSam2Panel(): HostElement {
    return {
      $$typeof: REACT_ELEMENT,
      type: 'div',
      key: null,
      ref: attach,
      props: { 'data-cy': 'medsam2-panel-root', style: { height: '100%', overflowY: 'auto' } },
      _owner: null,
    };
  }
  return MedSam2Panel;
}
