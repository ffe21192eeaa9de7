/**
 * The MedSAM-2 prompt tool. Click = include point, shift-click = exclude point, right-click =
 * exclude point (prompt-bindings.ts gives the tool the secondary button), drag = box, Alt-drag =
 * include scribble (with Shift or the right button: exclude scribble), Shift-drag = lasso. It only
 * reports world coordinates; the controller turns them into slice prompts (gesture-prompt.ts).
 *
 * Gestures are read from the browser's own mouse events on the viewport, not from cornerstone's:
 * cornerstone holds a mouse-down back for 400 ms to tell a double-click, and a click followed
 * quickly by a press elsewhere (Propagate) never reached the tool. The cornerstone tool (made at
 * run time from the host's BaseTool: the extension cannot import cornerstone) is still registered
 * so OHIF can make it the active tool; it consumes the mouse-down so no other tool acts on it.
 */
import type { CornerstoneCore, CornerstoneTools, CsViewport, Point3 } from './ohif-types';
import { type MarkerSource, drawMarkers } from './prompt-markers';

export const PROMPT_TOOL_NAME = 'MedSAM2Prompt';

export type PromptGesture =
  | { readonly kind: 'point'; readonly world: Point3; readonly include: boolean; readonly viewportId: string }
  | { readonly kind: 'box'; readonly from: Point3; readonly to: Point3; readonly viewportId: string }
  | {
      readonly kind: 'scribble';
      readonly path: readonly Point3[];
      readonly include: boolean;
      readonly viewportId: string;
    }
  | { readonly kind: 'lasso'; readonly path: readonly Point3[]; readonly viewportId: string };

/** A drag shorter than this (canvas pixels) is a click. */
const DRAG_THRESHOLD_PX = 4;

/** Registers the tool class with cornerstoneTools once; it draws the prompts `markers` gives. */
export function registerPromptTool(tools: CornerstoneTools, markers: MarkerSource): void {
  class MedSam2PromptTool extends tools.BaseTool {
    static toolName = PROMPT_TOOL_NAME;

    constructor(toolProps: Record<string, unknown> = {}) {
      super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: {} });
    }

    /** Consumes the mouse-down: the gesture itself is read from the DOM (listenForGestures). */
    preMouseDownCallback = (): boolean => true;

    /** Called by cornerstone's annotation rendering for every viewport the tool is not disabled on. */
    renderAnnotation = (enabledElement: { viewport: CsViewport }, svg: unknown): boolean => {
      const { viewport } = enabledElement;
      const index = viewport.getCurrentImageIdIndex?.();
      if (index === undefined) return false;
      return drawMarkers(tools.drawing, svg, viewport, markers(viewport.id, index));
    };
  }
  tools.addTool(MedSam2PromptTool);
}

/** The viewport under a DOM event, when it is a cornerstone viewport. */
function viewportAt(core: CornerstoneCore, target: EventTarget | null): CsViewport | undefined {
  const element = target instanceof Element ? target.closest('[data-viewport-uid]') : null;
  return element instanceof HTMLElement ? core.getEnabledElement(element)?.viewport : undefined;
}

/**
 * Listens on `doc` for prompt gestures on viewports where the prompt tool is active (`isActive`)
 * and reports them to `onGesture`. Returns a function that stops listening.
 */
export function listenForGestures(
  doc: Document,
  core: CornerstoneCore,
  isActive: (viewportId: string) => boolean,
  onGesture: (g: PromptGesture) => void,
): () => void {
  const onDown = (down: MouseEvent) => {
    if (down.button !== 0 && down.button !== 2) return;
    const viewport = viewportAt(core, down.target);
    if (!viewport || !isActive(viewport.id)) return;
    const rect = viewport.element.getBoundingClientRect();
    const canvas = (e: MouseEvent): [number, number] => [e.clientX - rect.left, e.clientY - rect.top];
    const start = canvas(down);
    const startWorld = viewport.canvasToWorld(start);
    const exclude = down.shiftKey || down.button === 2;
    const freehand = down.altKey ? 'scribble' : down.shiftKey && down.button === 0 ? 'lasso' : null;
    // A free-hand drag keeps its path (world coordinates, as the pointer moved).
    const path = [startWorld];
    let reach = 0; // farthest the pointer went from the start (a lasso ends where it began)
    const onMove = (move: MouseEvent) => {
      const at = canvas(move);
      reach = Math.max(reach, Math.hypot(at[0] - start[0], at[1] - start[1]));
      path.push(viewport.canvasToWorld(at));
    };
    if (freehand) doc.addEventListener('mousemove', onMove, true);
    // A right-click is a prompt here, not a request for the browser's menu.
    if (down.button === 2) doc.addEventListener('contextmenu', (e) => e.preventDefault(), { once: true });
    const onUp = (up: MouseEvent) => {
      if (up.button !== down.button) return;
      doc.removeEventListener('mouseup', onUp, true);
      doc.removeEventListener('mousemove', onMove, true);
      const end = canvas(up);
      const viewportId = viewport.id;
      const dragged = Math.hypot(end[0] - start[0], end[1] - start[1]) >= DRAG_THRESHOLD_PX;
      if (freehand === 'scribble') onGesture({ kind: 'scribble', path, include: !exclude, viewportId });
      else if (freehand === 'lasso' && reach >= DRAG_THRESHOLD_PX)
        onGesture({ kind: 'lasso', path, viewportId });
      else if (dragged)
        onGesture({ kind: 'box', from: startWorld, to: viewport.canvasToWorld(end), viewportId });
      else onGesture({ kind: 'point', world: startWorld, include: !exclude, viewportId });
    };
    doc.addEventListener('mouseup', onUp, true);
  };
  doc.addEventListener('mousedown', onDown, true);
  return () => doc.removeEventListener('mousedown', onDown, true);
}
