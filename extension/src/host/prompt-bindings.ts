/**
 * The prompt tool's mouse bindings: left = include point or box, shift-left and right = exclude
 * point. OHIF's tool groups give the right (secondary) button to Zoom, and cornerstone hands a
 * mouse-down to the first active tool holding the button, so while the prompt tool is active the
 * tools holding the plain right button give it up; they get it back as soon as the prompt tool
 * stops being active (another tool chosen, Accept).
 */
import type {
  CommandsManager,
  CornerstoneCore,
  CornerstoneTools,
  ToolBinding,
  ToolGroupService,
} from './ohif-types';
import { PROMPT_TOOL_NAME } from './prompt-tool';

const ACTIVE = 'Active';

export class PromptBindings {
  /** Per tool group: the tools whose right-button binding the prompt tool holds for now. */
  private readonly taken = new Map<string, { toolName: string; binding: ToolBinding }[]>();
  private listening = false;

  constructor(
    private readonly toolGroupService: ToolGroupService,
    private readonly commandsManager: CommandsManager,
  ) {}

  /** Makes the prompt tool the active tool of every tool group, holding left, shift-left and right. */
  activate(core: CornerstoneCore, tools: CornerstoneTools): void {
    const { MouseBindings, KeyboardBindings, Events } = tools.Enums;
    this.commandsManager.runCommand('setToolActiveToolbar', {
      toolName: PROMPT_TOOL_NAME,
      bindings: [
        { mouseButton: MouseBindings.Primary },
        { mouseButton: MouseBindings.Primary, modifierKey: KeyboardBindings.Shift },
        { mouseButton: MouseBindings.Secondary },
      ],
    });
    for (const id of this.toolGroupService.getToolGroupIds()) this.takeSecondary(id, MouseBindings.Secondary);
    if (!this.listening) {
      this.listening = true;
      core.eventTarget.addEventListener(Events.TOOL_MODE_CHANGED, (e) => {
        const d = (e as CustomEvent<{ toolGroupId: string; toolName: string; mode: string }>).detail;
        if (d?.toolName === PROMPT_TOOL_NAME && d.mode !== ACTIVE) this.giveBack(d.toolGroupId);
      });
    }
  }

  private takeSecondary(toolGroupId: string, secondary: number): void {
    const group = this.toolGroupService.getToolGroup(toolGroupId);
    if (!group || group.toolOptions[PROMPT_TOOL_NAME]?.mode !== ACTIVE) return;
    const taken = this.taken.get(toolGroupId) ?? [];
    for (const [toolName, options] of Object.entries(group.toolOptions)) {
      if (toolName === PROMPT_TOOL_NAME || options.mode !== ACTIVE) continue;
      const binding = options.bindings.find(
        (b) => b.mouseButton === secondary && b.modifierKey === undefined,
      );
      if (!binding) continue;
      options.bindings = options.bindings.filter((b) => b !== binding);
      taken.push({ toolName, binding });
    }
    this.taken.set(toolGroupId, taken);
  }

  private giveBack(toolGroupId: string): void {
    const group = this.toolGroupService.getToolGroup(toolGroupId);
    for (const { toolName, binding } of this.taken.get(toolGroupId) ?? []) {
      const options = group?.toolOptions[toolName];
      if (options && !options.bindings.includes(binding)) options.bindings = [...options.bindings, binding];
    }
    this.taken.delete(toolGroupId);
  }
}
