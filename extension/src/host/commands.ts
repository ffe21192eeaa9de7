/**
 * Every panel action as an OHIF command, so hotkeys, toolbar buttons, other extensions and tests
 * can drive them: `commandsManager.runCommand('medsam2Propagate')`.
 */
import type { Code } from '../dicom/codes';
import type { Medsam2Controller, VoxelPrompt } from './controller';
import type { SettingsState } from './controller-state';

type Options = Record<string, unknown>;

export const COMMAND_NAMES = {
  activatePromptTool: 'medsam2ActivatePromptTool',
  startOnOpen: 'medsam2StartOnOpen',
  prompt: 'medsam2Prompt',
  propagate: 'medsam2Propagate',
  update: 'medsam2Update',
  propagateBetween: 'medsam2PropagateBetween',
  stop: 'medsam2Stop',
  undo: 'medsam2Undo',
  accept: 'medsam2Accept',
  exportSeg: 'medsam2ExportSeg',
  addSegment: 'medsam2AddSegment',
  selectSegment: 'medsam2SelectSegment',
  renameSegment: 'medsam2RenameSegment',
  setSegmentColor: 'medsam2SetSegmentColor',
  setSegmentCodes: 'medsam2SetSegmentCodes',
  jumpToSlice: 'medsam2JumpToSlice',
  updateSettings: 'medsam2UpdateSettings',
  loadModel: 'medsam2LoadModel',
  getState: 'medsam2GetState',
  getPrompts: 'medsam2GetPrompts',
  labelmapCoverage: 'medsam2LabelmapCoverage',
  segChoices: 'medsam2SegChoices',
  openSeg: 'medsam2OpenSeg',
  clearSavedWork: 'medsam2ClearSavedWork',
  templateChoices: 'medsam2TemplateChoices',
  useAsTemplate: 'medsam2UseAsTemplate',
  correctTemplateImage: 'medsam2CorrectTemplateImage',
  undoTemplateCorrection: 'medsam2UndoTemplateCorrection',
  showTemplateImage: 'medsam2ShowTemplateImage',
  stopTemplate: 'medsam2StopTemplate',
  exportTemplateSegs: 'medsam2ExportTemplateSegs',
  templateCoverage: 'medsam2TemplateCoverage',
} as const;

export function commandsModule(controller: () => Medsam2Controller) {
  const c = controller;
  const actions: Record<string, (o: Options) => unknown> = {
    [COMMAND_NAMES.activatePromptTool]: () => c().activatePromptTool(),
    /** The MedSAM-2 mode's start: model loading now, the prompt tool active once an image shows. */
    [COMMAND_NAMES.startOnOpen]: () => c().startOnOpen(),
    /** { slice, points?: [{x, y, label}], box?: [x0, y0, x1, y1] } in voxel (column, row) coordinates. */
    [COMMAND_NAMES.prompt]: (o) => c().promptVoxels(o as unknown as VoxelPrompt),
    [COMMAND_NAMES.propagate]: () => c().propagate(),
    /** Redoes only the active segment's stale slices (after a correction). */
    [COMMAND_NAMES.update]: () => c().update(),
    /** { from, to }: two prompted slices of the active segment (OHIF image indices, 0-based). */
    [COMMAND_NAMES.propagateBetween]: (o) => c().propagateBetween(Number(o.from), Number(o.to)),
    [COMMAND_NAMES.stop]: () => c().stop(),
    [COMMAND_NAMES.undo]: () => c().undo(),
    [COMMAND_NAMES.accept]: () => c().accept(),
    [COMMAND_NAMES.exportSeg]: () => c().exportSeg(),
    [COMMAND_NAMES.addSegment]: (o) => c().addSegment(typeof o.label === 'string' ? o.label : undefined),
    [COMMAND_NAMES.selectSegment]: (o) => c().selectSegment(Number(o.objectId)),
    [COMMAND_NAMES.renameSegment]: (o) => c().renameSegment(Number(o.objectId), String(o.label ?? '')),
    /** { objectId, color: [r, g, b] } */
    [COMMAND_NAMES.setSegmentColor]: (o) =>
      c().setSegmentColor(Number(o.objectId), o.color as [number, number, number]),
    /** { objectId, category?: Code, type?: Code } */
    [COMMAND_NAMES.setSegmentCodes]: (o) =>
      c().setSegmentCodes(Number(o.objectId), { category: o.category as Code, type: o.type as Code }),
    [COMMAND_NAMES.jumpToSlice]: (o) => c().jumpToSlice(Number(o.slice)),
    [COMMAND_NAMES.updateSettings]: (o) => c().updateSettings(o as Partial<SettingsState>),
    [COMMAND_NAMES.loadModel]: () => c().ensureModel(),
    [COMMAND_NAMES.getState]: () => c().state,
    /** The active (or { objectId }) segment's prompts by slice, in voxel coordinates. */
    [COMMAND_NAMES.getPrompts]: (o) =>
      c().promptsOf(o.objectId === undefined ? undefined : Number(o.objectId)),
    /** The SEG series that can be opened on the series in view: [{ displaySetInstanceUID, label, … }]. */
    [COMMAND_NAMES.segChoices]: () => c().segChoices(),
    /** { displaySetInstanceUID }: opens that SEG series as editable segments. */
    [COMMAND_NAMES.openSeg]: (o) => c().openSeg(String(o.displaySetInstanceUID ?? '')),
    /** Forgets this browser's saved copy of the work on the open series. */
    [COMMAND_NAMES.clearSavedWork]: () => c().clearSavedWork(),
    /** The study's display sets "Use as template" can segment: [{ displaySetInstanceUID, label, images, frames }]. */
    [COMMAND_NAMES.templateChoices]: () => c().templateChoices(),
    /** { displaySetInstanceUIDs: [...] }: the prompted slice in view segments every image of them. */
    [COMMAND_NAMES.useAsTemplate]: (o) =>
      c().useAsTemplate(Array.isArray(o.displaySetInstanceUIDs) ? o.displaySetInstanceUIDs.map(String) : []),
    /** { index, points?: [{x, y, label}], box?: [x0, y0, x1, y1] }: a correction in that image's pixels. */
    [COMMAND_NAMES.correctTemplateImage]: (o) =>
      c().correctTemplateImage(Number(o.index), {
        ...(Array.isArray(o.points) ? { points: o.points as { x: number; y: number; label: 0 | 1 }[] } : {}),
        ...(Array.isArray(o.box) ? { box: o.box as [number, number, number, number] } : {}),
      }),
    /** Takes the last correction on the set's images back (the set is segmented again). */
    [COMMAND_NAMES.undoTemplateCorrection]: () => c().undoTemplateCorrection(),
    /** { index }: shows that image of the set in the active viewport. */
    [COMMAND_NAMES.showTemplateImage]: (o) => c().showTemplateImage(Number(o.index)),
    [COMMAND_NAMES.stopTemplate]: () => c().stopTemplate(),
    [COMMAND_NAMES.exportTemplateSegs]: () => c().exportTemplateSegs(),
    /** { displaySetInstanceUID }: the set's mask pixels per image of that display set, as painted. */
    [COMMAND_NAMES.templateCoverage]: (o) => c().templateCoverage(String(o.displaySetInstanceUID ?? '')),
    [COMMAND_NAMES.labelmapCoverage]: (o) =>
      c().labelmapCoverage(o.objectId === undefined ? undefined : Number(o.objectId)),
  };
  const definitions: Record<string, { commandFn: (o: Options) => unknown }> = {};
  for (const [name, fn] of Object.entries(actions)) definitions[name] = { commandFn: (o) => fn(o ?? {}) };
  return { definitions, defaultContext: 'DEFAULT' };
}
