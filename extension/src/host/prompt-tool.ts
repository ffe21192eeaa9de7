/**
 * The MedSAM-2 prompt tool, a cornerstone tool made at run time from the host's own BaseTool (the
 * extension cannot import cornerstone). Click = include point, shift-click = exclude point,
 * right-click = exclude point (prompt-bindings.ts gives the tool the secondary button), drag = box.
 * It only reports world coordinates; the controller turns them into slice prompts.
 */
import type { CornerstoneTools, CsToolEvent, Point3 } from './ohif-types';

export const PROMPT_TOOL_NAME = 'MedSAM2Prompt';

export type PromptGesture =
  | { readonly kind: 'point'; readonly world: Point3; readonly include: boolean; readonly viewportId: string }
  | { readonly kind: 'box'; readonly from: Point3; readonly to: Point3; readonly viewportId: string };

/** A drag shorter than this (canvas pixels) is a click. */
const DRAG_THRESHOLD_PX = 4;

/** Registers the tool class with cornerstoneTools once; gestures go to `onGesture`. */
export function registerPromptTool(tools: CornerstoneTools, onGesture: (g: PromptGesture) => void): void {
  const Base = tools.BaseTool;
  const { Events } = tools.Enums;

  class MedSam2PromptTool extends Base {
    static toolName = PROMPT_TOOL_NAME;

    constructor(toolProps: Record<string, unknown> = {}) {
      super(toolProps, { supportedInteractionTypes: ['Mouse'], configuration: {} });
    }

    /** Consumes the mouse-down so no annotation tool starts, and follows the gesture to mouse-up. */
    preMouseDownCallback = (evt: CsToolEvent): boolean => {
      const { element, viewportId, currentPoints, event } = evt.detail;
      const start = { world: currentPoints.world, canvas: currentPoints.canvas };
      const exclude = event?.shiftKey === true || event?.button === 2;
      // A right-click is a prompt here, not a request for the browser's menu.
      if (event?.button === 2)
        element.addEventListener('contextmenu', (e) => e.preventDefault(), { once: true });
      let last = start;
      const onDrag = (e: Event) => {
        const d = (e as unknown as CsToolEvent).detail;
        last = { world: d.currentPoints.world, canvas: d.currentPoints.canvas };
      };
      const onUp = (e: Event) => {
        element.removeEventListener(Events.MOUSE_DRAG, onDrag);
        element.removeEventListener(Events.MOUSE_UP, onUp);
        element.removeEventListener(Events.MOUSE_CLICK, onUp);
        const d = (e as unknown as CsToolEvent).detail;
        if (d?.currentPoints) last = { world: d.currentPoints.world, canvas: d.currentPoints.canvas };
        const dx = last.canvas[0] - start.canvas[0];
        const dy = last.canvas[1] - start.canvas[1];
        if (Math.hypot(dx, dy) >= DRAG_THRESHOLD_PX)
          onGesture({ kind: 'box', from: start.world, to: last.world, viewportId });
        else onGesture({ kind: 'point', world: start.world, include: !exclude, viewportId });
      };
      element.addEventListener(Events.MOUSE_DRAG, onDrag);
      element.addEventListener(Events.MOUSE_UP, onUp);
      element.addEventListener(Events.MOUSE_CLICK, onUp);
      return true;
    };
  }

  tools.addTool(MedSam2PromptTool);
}
