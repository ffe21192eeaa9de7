/**
 * The OHIF mode "MedSAM-2" (route /medsam2): OHIF's basic viewer (layout, viewports, tools,
 * SOP class handlers) with the MedSAM-2 panel open on the right. Loaded at run time from a URL in
 * app-config.js (`modes: ['…/medsam2-mode.js']`) next to the extension's URL; it builds on
 * `@ohif/mode-basic` through the `loadModules` OHIF passes to modeFactory, so nothing of OHIF is
 * bundled. The prompt button and tool come from the extension, in this mode as in any other.
 */

import { EXTENSION_ID, EXTENSION_VERSION, MODE_ID, PANEL_ID } from '../../extension/src/ids';

interface Layout {
  readonly id: string;
  readonly props: {
    readonly leftPanels?: readonly string[];
    readonly rightPanels?: readonly string[];
    readonly viewports?: readonly Record<string, unknown>[];
    readonly [key: string]: unknown;
  };
}

interface Route {
  readonly path: string;
  readonly layoutInstance?: Layout;
  layoutTemplate(...args: unknown[]): Layout;
}

interface ModeEnterArgs {
  readonly commandsManager?: { runCommand(name: string, options?: Record<string, unknown>): unknown };
  readonly [key: string]: unknown;
}

interface ModeInstance {
  readonly id: string;
  readonly routes: readonly Route[];
  onModeEnter?(args: ModeEnterArgs): unknown;
  readonly [key: string]: unknown;
}

interface ModeModule {
  readonly id: string;
  readonly modeInstance: ModeInstance;
  readonly extensionDependencies?: Record<string, string>;
  modeFactory?(args: unknown): ModeInstance | Promise<ModeInstance>;
}

type LoadModules = (names: string[]) => Promise<ModeModule[]>;

export { MODE_ID };

/** The basic layout with our panel first (and open) on the right. */
export function medsam2Layout(base: Layout): Layout {
  const right = (base.props.rightPanels ?? []).filter((p) => p !== PANEL_ID);
  return {
    id: base.id,
    props: {
      ...base.props,
      leftPanels: [...(base.props.leftPanels ?? [])],
      rightPanels: [PANEL_ID, ...right],
      rightPanelClosed: false,
      viewports: (base.props.viewports ?? []).map((v) => ({ ...v })),
    },
  };
}

const mode = {
  id: MODE_ID,
  async modeFactory({ loadModules }: { modeConfiguration?: unknown; loadModules: LoadModules }) {
    const [basic] = await loadModules(['@ohif/mode-basic']);
    const base = basic.modeInstance;
    const baseRoute = base.routes[0];
    const baseLayout = baseRoute.layoutInstance ?? baseRoute.layoutTemplate();
    const route: Route = {
      path: 'medsam2',
      layoutTemplate: () => medsam2Layout(baseLayout),
    };
    return {
      ...base,
      id: MODE_ID,
      routeName: 'medsam2',
      displayName: 'MedSAM-2',
      hide: false,
      routes: [route],
      /**
       * The basic mode's set-up (its tool groups make Window/Level the active tool), then the
       * MedSAM-2 prompt tool takes over as soon as the series is on screen: the first click on the
       * image is a prompt, and the model starts loading now.
       */
      onModeEnter(args: ModeEnterArgs) {
        base.onModeEnter?.(args);
        args.commandsManager?.runCommand('medsam2StartOnOpen');
      },
    };
  },
  // What the mode needs (read by OHIF's tooling). The mode instance's own `extensions` stay the basic
  // mode's: OHIF imports those by name when the route opens, and a prebuilt OHIF can only import the
  // names it was built with; ours is registered from app-config.js (or pluginConfig.json) before.
  extensionDependencies: {
    '@ohif/extension-default': '^3.0.0',
    '@ohif/extension-cornerstone': '^3.0.0',
    [EXTENSION_ID]: `^${EXTENSION_VERSION}`,
  },
};

export default mode;
