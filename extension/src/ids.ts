/**
 * The ids OHIF knows the extension and mode by. OHIF wants an extension's id to equal its package
 * name (the 3.14 runtime loader refuses a descriptor whose packageName differs from the id it
 * registers); test/packaging checks these against extension/package.json and mode/package.json.
 */
export const EXTENSION_ID = 'medsam2-ohif-extension';
export const EXTENSION_VERSION = '0.1.0';
export const MODE_ID = 'medsam2-ohif-mode';
/** The panel's module entry: `<extension id>.panelModule.<panel name>`. */
export const PANEL_NAME = 'medsam2';
export const PANEL_ID = `${EXTENSION_ID}.panelModule.${PANEL_NAME}`;
