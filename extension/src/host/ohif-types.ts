/**
 * Minimal structural types for the OHIF 3.13 and cornerstone3D objects the extension touches.
 * They are written here (not imported from @ohif/* or @cornerstonejs/*) because the extension is
 * loaded at run time into a prebuilt OHIF app: those packages are never bundled, and the host hands
 * every object over through its managers. Only the members this extension uses are declared.
 */

export interface OhifInstance {
  readonly SOPInstanceUID: string;
  readonly imageId?: string;
  readonly NumberOfFrames?: number | string;
  readonly [keyword: string]: unknown;
}

export interface OhifDisplaySet {
  readonly displaySetInstanceUID: string;
  readonly StudyInstanceUID: string;
  readonly SeriesInstanceUID: string;
  readonly SeriesNumber?: number | string;
  readonly SeriesDescription?: string;
  readonly Modality?: string;
  readonly imageIds?: readonly string[];
  readonly instances?: readonly OhifInstance[];
  readonly isReconstructable?: boolean;
  /** SEG display sets (OHIF's SEG SOP class handler): the series the SEG references, and its instance. */
  readonly referencedSeriesInstanceUID?: string | null;
  readonly SOPInstanceUID?: string;
}

export interface PubSub {
  readonly EVENTS: Record<string, string>;
  subscribe(event: string, callback: (payload: unknown) => void): { unsubscribe(): void };
}

export interface ViewportGridService extends PubSub {
  getState(): { activeViewportId: string | null; viewports: Map<string, unknown> };
  getDisplaySetsUIDsForViewport(viewportId: string): string[] | undefined;
  /** Puts display sets into a viewport (OHIF re-creates its cornerstone viewport). */
  setDisplaySetsForViewport(props: { viewportId: string; displaySetInstanceUIDs: string[] }): void;
}

export interface DisplaySetService extends PubSub {
  getDisplaySetByUID(uid: string): OhifDisplaySet | undefined;
  getActiveDisplaySets(): OhifDisplaySet[];
}

export interface SegmentConfig {
  label?: string;
  color?: readonly number[];
  active?: boolean;
  segmentIndex?: number;
}

export interface SegmentationService extends PubSub {
  createLabelmapForDisplaySet(
    displaySet: OhifDisplaySet,
    options: { segmentationId?: string; label?: string; segments?: Record<number, SegmentConfig> },
  ): Promise<string>;
  addSegmentationRepresentation(viewportId: string, options: { segmentationId: string }): Promise<void>;
  getSegmentation(segmentationId: string): CsSegmentation | undefined;
  addSegment(segmentationId: string, config?: SegmentConfig): void;
  removeSegment(segmentationId: string, segmentIndex: number): void;
  setSegmentLabel(segmentationId: string, segmentIndex: number, label: string): void;
  setSegmentColor(viewportId: string, segmentationId: string, segmentIndex: number, color: number[]): void;
  setActiveSegment(segmentationId: string, segmentIndex: number): void;
  remove(segmentationId: string): void;
}

export interface CsSegmentation {
  readonly segmentationId: string;
  readonly representationData: {
    readonly Labelmap?: {
      readonly imageIds?: readonly string[];
      readonly referencedImageIds?: readonly string[];
    };
  };
}

export interface ToolbarButton {
  id: string;
  uiType: string;
  props: Record<string, unknown>;
}

export interface ToolbarService {
  register(buttons: ToolbarButton[]): void;
  updateSection(section: string, buttonIds: string[]): void;
  getButtonSection?(section: string): { id: string }[] | undefined;
}

export interface ToolBinding {
  readonly mouseButton?: number;
  readonly modifierKey?: number;
  readonly numTouchPoints?: number;
}

export interface ToolGroup {
  readonly id: string;
  hasTool(toolName: string): boolean;
  addTool(toolName: string, configuration?: Record<string, unknown>): void;
  getActivePrimaryMouseButtonTool(): string | undefined;
  /** Per tool: its mode ('Active', 'Passive', ...) and mouse/touch bindings (cornerstone's own object). */
  readonly toolOptions: Record<string, { mode: string; bindings: ToolBinding[] }>;
}

export interface ToolGroupService extends PubSub {
  getToolGroupIds(): string[];
  getToolGroup(id: string): ToolGroup | undefined;
  getToolGroupForViewport(viewportId: string): ToolGroup | undefined;
}

export interface UiNotificationService {
  show(options: { title: string; message: string; type?: 'info' | 'success' | 'warning' | 'error' }): void;
}

export interface PanelService {
  addPanel(position: 'left' | 'right', panelId: string, options?: Record<string, unknown>): void;
  getPanels(position: 'left' | 'right'): { id: string }[];
}

export interface CornerstoneViewportService {
  getCornerstoneViewport(viewportId: string): CsViewport | null | undefined;
}

export interface OhifServices {
  readonly viewportGridService: ViewportGridService;
  readonly displaySetService: DisplaySetService;
  readonly segmentationService: SegmentationService;
  readonly toolbarService: ToolbarService;
  readonly toolGroupService: ToolGroupService;
  readonly uiNotificationService?: UiNotificationService;
  readonly panelService?: PanelService;
  readonly cornerstoneViewportService: CornerstoneViewportService;
  readonly userAuthenticationService?: UserAuthenticationService;
}

export interface ServicesManager {
  readonly services: OhifServices;
}

export interface CommandsManager {
  runCommand(name: string, options?: Record<string, unknown>, context?: string): unknown;
}

export interface DataSource {
  readonly store?: { dicom?: (data: ArrayBuffer) => Promise<void> };
  readonly query?: {
    readonly series?: { readonly search?: (studyInstanceUID: string) => Promise<unknown[]> };
  };
  getConfig?(): { wadoRoot?: string } | undefined;
  /** The display set's image ids (a multi-frame instance: one per frame), as OHIF's viewports get them. */
  getImageIdsForDisplaySet?(displaySet: OhifDisplaySet): string[];
  /** The host's own WADO client (its headers, its configuration). */
  readonly retrieve?: { getWadoDicomWebClient?(): WadoClient | undefined };
}

export interface WadoClient {
  retrieveInstance(options: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
    sopInstanceUID: string;
  }): Promise<ArrayBuffer>;
}

export interface UserAuthenticationService {
  getAuthorizationHeader?(): { Authorization?: string } | undefined;
}

export interface ExtensionManager {
  getModuleEntry(id: string): { exports?: unknown } | undefined;
  getActiveDataSource(): DataSource[] | undefined;
  readonly appConfig?: Record<string, unknown>;
}

export interface ExtensionParams {
  servicesManager: ServicesManager;
  commandsManager: CommandsManager;
  extensionManager: ExtensionManager;
  appConfig?: Record<string, unknown>;
  configuration?: Record<string, unknown>;
}

// ---- cornerstone3D (5.x) ---------------------------------------------------------------------

export type Point3 = [number, number, number];

export interface CsImage {
  readonly imageId: string;
  readonly rows: number;
  readonly columns: number;
  getPixelData(): ArrayLike<number> & { readonly length: number };
  readonly preScale?: { readonly scaled?: boolean };
  /** Modality LUT (Rescale Slope/Intercept) cornerstone read for the image. */
  readonly slope?: number;
  readonly intercept?: number;
  readonly voxelManager?: CsVoxelManager;
}

export interface CsVoxelManager {
  getScalarData(): Uint8Array | Uint16Array | Int16Array | Float32Array;
  setScalarData?(data: ArrayLike<number>): void;
}

export interface CsViewport {
  readonly id: string;
  readonly element: HTMLDivElement;
  readonly type: string;
  getCamera(): { viewPlaneNormal?: Point3 };
  canvasToWorld(canvas: readonly [number, number]): Point3;
  worldToCanvas(world: Point3): [number, number];
  getCurrentImageIdIndex?(): number;
  setImageIdIndex?(index: number): Promise<unknown>;
  getImageIds?(): string[];
  /** A stack viewport's image in view as vtk image data (world ↔ pixel index of what is shown). */
  getImageData?():
    | {
        readonly imageData?: {
          worldToIndex(world: Point3): number[];
          indexToWorld(index: Point3): number[];
        };
      }
    | undefined;
  render(): void;
}

export interface CornerstoneCore {
  readonly eventTarget: EventTarget;
  readonly cache: { getImage(imageId: string): CsImage | undefined };
  readonly imageLoader: { loadAndCacheImage(imageId: string): Promise<CsImage> };
  getEnabledElement(element: HTMLElement): { viewport: CsViewport } | undefined;
  readonly utilities?: {
    /** World → image coordinates (column, row) of `imageId`, the image's top-left corner at 0. */
    worldToImageCoords?(imageId: string, world: Point3): [number, number] | undefined;
  };
}

export interface CsToolEvent {
  readonly detail: {
    readonly element: HTMLDivElement;
    readonly viewportId: string;
    readonly renderingEngineId: string;
    readonly currentPoints: { readonly world: Point3; readonly canvas: [number, number] };
    readonly startPoints?: { readonly world: Point3 };
    readonly event?: MouseEvent;
  };
}

export interface BaseToolConstructor {
  new (toolProps: Record<string, unknown>, defaultToolProps: Record<string, unknown>): object;
}

export interface CornerstoneTools {
  readonly BaseTool: BaseToolConstructor;
  addTool(toolClass: unknown): void;
  readonly state?: { readonly tools?: Record<string, unknown> };
  readonly Enums: {
    readonly Events: Record<string, string>;
    readonly MouseBindings: { readonly Primary: number; readonly Secondary: number };
    readonly ToolModes?: { readonly Active: string };
    readonly KeyboardBindings: { readonly Shift: number };
  };
  /** cornerstone's SVG drawing helpers (what annotation tools draw with). */
  readonly drawing: {
    drawCircle(
      svg: unknown,
      annotationUID: string,
      circleUID: string,
      center: readonly [number, number],
      radius: number,
      options?: Record<string, unknown>,
      dataId?: string,
    ): void;
    drawLine(
      svg: unknown,
      annotationUID: string,
      lineUID: string,
      start: readonly [number, number],
      end: readonly [number, number],
      options?: Record<string, unknown>,
      dataId?: string,
    ): void;
  };
  readonly utilities: {
    triggerAnnotationRenderForViewportIds(viewportIds: readonly string[]): void;
  };
  readonly segmentation: {
    readonly triggerSegmentationEvents: {
      triggerSegmentationDataModified(segmentationId: string, modifiedSlices?: readonly number[]): void;
    };
  };
}
