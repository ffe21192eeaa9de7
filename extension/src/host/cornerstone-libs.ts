/**
 * cornerstone's core and tools libraries as the host OHIF loaded them, from
 * @ohif/extension-cornerstone's utility module (nothing of cornerstone is bundled with us).
 */
import type { CornerstoneCore, CornerstoneTools, ExtensionManager } from './ohif-types';

export interface CornerstoneLibs {
  readonly core: CornerstoneCore;
  readonly tools: CornerstoneTools;
}

/** The libraries, or undefined when the host has no cornerstone extension (yet). */
export function findCornerstoneLibs(extensionManager: ExtensionManager): CornerstoneLibs | undefined {
  const entry = extensionManager.getModuleEntry('@ohif/extension-cornerstone.utilityModule.common');
  const get = (entry?.exports as { getCornerstoneLibraries?: () => unknown } | undefined)
    ?.getCornerstoneLibraries;
  if (!get) return undefined;
  const { cornerstone, cornerstoneTools } = get() as {
    cornerstone: CornerstoneCore;
    cornerstoneTools: CornerstoneTools;
  };
  return { core: cornerstone, tools: cornerstoneTools };
}

export function cornerstoneLibs(extensionManager: ExtensionManager): CornerstoneLibs {
  const libs = findCornerstoneLibs(extensionManager);
  if (!libs) throw new Error('the host has no @ohif/extension-cornerstone utility module');
  return libs;
}
