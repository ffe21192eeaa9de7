/**
 * Start-up of the prompt tool: the model loads when the MedSAM-2 mode opens, the prompt tool
 * joins every tool group and becomes the active tool once an image is on screen, and activating
 * it opens the session on the active viewport's series and starts encoding the slices around the
 * one in view (pre-encoding.ts), so the first click answers from the encoder cache.
 */
import type { ControllerParts } from './controller-parts';
import type { SeriesSessions } from './open-series';
import { PreEncoding } from './pre-encoding';
import { PromptBindings } from './prompt-bindings';
import { PROMPT_TOOL_NAME } from './prompt-tool';

/** How long the mode's start waits for an image before leaving the tool to the user. */
const START_WAIT_MS = 120_000;

export class ToolStartup {
  private readonly bindings: PromptBindings;
  private readonly preEncoding: PreEncoding;

  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
  ) {
    this.bindings = new PromptBindings(parts.host.services.toolGroupService, parts.host.commandsManager);
    this.preEncoding = new PreEncoding(parts);
  }

  /** The tool was put away (Accept): nothing more is encoded ahead of need. */
  deactivated(): void {
    this.preEncoding.stop();
  }

  /**
   * Makes the prompt tool the active tool of every tool group (left = include/box, shift-left and
   * right = exclude) and opens the session.
   */
  async activatePromptTool(): Promise<void> {
    const { core, tools } = this.parts.libs();
    this.addToolToGroups();
    this.bindings.activate(core, tools);
    this.parts.store.set({ toolActive: true });
    try {
      this.preEncoding.follow(await this.series.ensure());
    } catch (e) {
      this.parts.fail(e);
    }
  }

  /** Whether the prompt tool is the active tool of the viewport's tool group. */
  promptToolActiveOn(viewportId: string): boolean {
    const group = this.parts.host.services.toolGroupService.getToolGroupForViewport(viewportId);
    return group?.toolOptions[PROMPT_TOOL_NAME]?.mode === 'Active';
  }

  /**
   * What the MedSAM-2 mode does when it opens: the model starts loading at once, and the prompt
   * tool becomes the active tool as soon as the active viewport shows an image (so the first click
   * on it is a prompt, not a Window/Level drag). Gives up quietly after START_WAIT_MS.
   */
  startOnOpen(): void {
    this.parts.models.ensure().catch(() => undefined); // the model section shows a failure
    const started = Date.now();
    const poll = setInterval(() => {
      if (this.parts.store.state.toolActive || Date.now() - started > START_WAIT_MS)
        return clearInterval(poll);
      if (!this.imageOnScreen()) return;
      clearInterval(poll);
      void this.activatePromptTool();
    }, 250);
  }

  /** Adds the (passive) prompt tool to every tool group that lacks it; safe to call often. */
  addToolToGroups(): void {
    const { toolGroupService } = this.parts.host.services;
    for (const id of toolGroupService.getToolGroupIds()) {
      const group = toolGroupService.getToolGroup(id);
      if (group && !group.hasTool(PROMPT_TOOL_NAME)) group.addTool(PROMPT_TOOL_NAME);
    }
  }

  private imageOnScreen(): boolean {
    const { viewportGridService, cornerstoneViewportService } = this.parts.host.services;
    const viewportId = viewportGridService.getState().activeViewportId;
    if (!viewportId || !viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0]) return false;
    const index = cornerstoneViewportService.getCornerstoneViewport(viewportId)?.getCurrentImageIdIndex?.();
    return typeof index === 'number' && index >= 0;
  }
}
