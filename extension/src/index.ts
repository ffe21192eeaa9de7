/**
 * The MedSAM-2 OHIF extension (id = package name, see ids.ts), loaded at run time by a prebuilt
 * OHIF from a URL in app-config.js (`extensions: ['/plugins/<name>/<version>/medsam2-extension.js']`)
 * or built into OHIF from its package (pluginConfig.json). Host objects come only through the
 * managers OHIF passes in; nothing of @ohif/* or @cornerstonejs/* is bundled.
 */
import { commandsModule } from './host/commands';
import { ConfigError, type Medsam2Config, readConfig } from './host/config';
import { Medsam2Controller } from './host/controller';
import { findCornerstoneLibs } from './host/cornerstone-libs';
import type { ExtensionParams, ToolbarButton } from './host/ohif-types';
import { PROMPT_TOOL_NAME, listenForGestures, registerPromptTool } from './host/prompt-tool';
import { createPanelComponent } from './panel/panel-component';

import { EXTENSION_ID, PANEL_ID, PANEL_NAME } from './ids';

export { EXTENSION_ID, PANEL_ID };

let controller: Medsam2Controller | null = null;
let stopListening: (() => void) | null = null;
const current = (): Medsam2Controller => {
  if (!controller) throw new Error('MedSAM-2 is not registered yet');
  return controller;
};

/** The toolbar button that activates the prompt tool (lit while the tool is the primary tool). */
export const PROMPT_BUTTON: ToolbarButton = {
  id: PROMPT_TOOL_NAME,
  uiType: 'ohif.toolButton',
  props: {
    type: 'tool',
    icon: 'icon-tool-brush',
    label: 'MedSAM-2',
    tooltip: 'MedSAM-2: click = include, shift-click or right-click = exclude, drag = box',
    commands: 'medsam2ActivatePromptTool',
    evaluate: 'evaluate.cornerstoneTool',
  },
};

const extension = {
  id: EXTENSION_ID,

  preRegistration({
    servicesManager,
    commandsManager,
    extensionManager,
    appConfig,
    configuration,
  }: ExtensionParams) {
    const page = globalThis.location?.href ?? 'http://localhost/';
    // A bad configuration is shown in the panel (as the model error) instead of breaking the viewer.
    let config: Medsam2Config;
    let configError: string | undefined;
    try {
      config = readConfig(appConfig, configuration, page);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      configError = `configuration: ${e.message}`;
      config = readConfig(undefined, undefined, page);
    }
    controller?.dispose();
    controller = new Medsam2Controller({
      services: servicesManager.services,
      commandsManager,
      extensionManager,
      config,
      configError,
    });
    const libs = findCornerstoneLibs(extensionManager);
    if (libs) {
      registerPromptTool(libs.tools, (viewportId, index) =>
        controller ? controller.markersOn(viewportId, index) : [],
      );
      stopListening?.();
      stopListening = listenForGestures(
        document,
        libs.core,
        (viewportId) => current().promptToolActiveOn(viewportId),
        (g) => void current().onGesture(g),
      );
    }
  },

  /**
   * In any mode: the prompt button joins the primary toolbar section (the mode's own buttons are
   * appended after it), the prompt tool joins every tool group as it is created, and the panel is
   * added on the right when the mode's layout does not list it.
   */
  onModeEnter({ servicesManager }: ExtensionParams) {
    const { toolGroupService, toolbarService, panelService } = servicesManager.services;
    toolbarService.register([PROMPT_BUTTON]);
    toolbarService.updateSection('primary', [PROMPT_TOOL_NAME]);
    const add = () => controller?.addToolToGroups();
    add();
    const created = toolGroupService.EVENTS?.TOOLGROUP_CREATED;
    if (created) unsubscribeOnExit.push(toolGroupService.subscribe(created, add).unsubscribe);
    if (panelService) {
      const timer = setTimeout(() => {
        if (!panelService.getPanels('right').some((p) => p.id === PANEL_ID))
          panelService.addPanel('right', PANEL_ID);
      }, 0);
      unsubscribeOnExit.push(() => clearTimeout(timer));
    }
  },

  onModeExit() {
    unsubscribeOnExit.splice(0).forEach((u) => u());
    controller?.stop();
  },

  getCommandsModule() {
    return commandsModule(current);
  },

  getPanelModule() {
    return [
      {
        name: PANEL_NAME,
        iconName: 'tab-segmentation',
        iconLabel: 'MedSAM-2',
        label: 'MedSAM-2',
        component: createPanelComponent(current),
      },
    ];
  },
};

const unsubscribeOnExit: (() => void)[] = [];

export default extension;
