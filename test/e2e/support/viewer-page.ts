/**
 * Page object for the viewer in the MedSAM-2 mode: the panel's data-cy controls, the viewport, and
 * the extension's commands (window.commandsManager, which OHIF's cornerstone extension exposes).
 */
import type { Page } from 'playwright-core';
import { SAMPLE_STUDY_UID } from './stack';

export interface PanelStateView {
  model: {
    status: string;
    info?: { backend: string; testModel: boolean; fallbacks: { name: string }[] };
    bytes?: number;
    loaded?: number;
    cached?: number;
  };
  series: { status: string; slices?: number; message?: string };
  segments: {
    objectId: number;
    slices: ({ confidence: number; present: boolean; prompted: boolean } | null)[];
    /** OHIF image indices the next Update redoes, and those carrying a prompt. */
    stale: number[];
    promptedSlices: number[];
  }[];
  propagation: { running: boolean; done: number; total: number; runs?: number };
  settings: {
    policy: string;
    capacity: number;
    confidenceThreshold: number;
    orientations: 'single' | 'all';
    workflow: string;
    autoUpdate: boolean;
  };
  toolActive: boolean;
  export: { status: string; message?: string; downloadUrl?: string };
  template: TemplateStateView;
  error?: string;
  notice?: string;
}

/** "Use as template": the set's images with their results, and the SEG per series. */
export interface TemplateStateView {
  status: string;
  message?: string;
  done: number;
  total: number;
  runs: number;
  corrections: number;
  shown?: number;
  images: {
    index: number;
    name: string;
    displaySetInstanceUID: string;
    imageIndex: number;
    confidence?: number;
    present?: boolean;
    prompted: boolean;
    area?: number;
  }[];
  exports: { displaySetInstanceUID: string; label: string; status: string; message: string }[];
}

export interface PromptView {
  slice: number;
  points?: { x: number; y: number; label: 0 | 1 }[];
  box?: [number, number, number, number];
  lasso?: { x: number; y: number }[];
}

export class ViewerPage {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
  ) {}

  async open(studyUid = SAMPLE_STUDY_UID): Promise<void> {
    await this.page.goto(`${this.baseUrl}/medsam2?StudyInstanceUIDs=${studyUid}`);
    await this.page.waitForSelector('[data-cy="medsam2-panel"]', { timeout: 60000 });
    // The series is on screen once cornerstone has drawn it into the viewport's canvas.
    await this.page.waitForSelector('.cornerstone-canvas', { timeout: 60000 });
    await this.page.waitForFunction(
      () => (window as unknown as { commandsManager?: unknown }).commandsManager !== undefined,
    );
  }

  /** Presses the MedSAM-2 toolbar button and waits until the model and the series are ready. */
  async activatePromptTool(): Promise<void> {
    await this.page.click('[data-cy="MedSAM2Prompt-btn"]');
    await this.page.waitForSelector(
      '[data-cy="medsam2-series"][data-status="ready"], [data-cy="medsam2-series"][data-status="error"], [data-cy="medsam2-model"][data-status="error"]',
      { timeout: 120000 },
    );
  }

  /** Clicks the viewport at a fraction of its size (0..1); `button: 'right'` for a right-click. */
  async clickViewport(
    fx: number,
    fy: number,
    modifiers: 'Shift'[] = [],
    button: 'left' | 'right' = 'left',
  ): Promise<void> {
    const box = await this.page.locator('.cornerstone-canvas').first().boundingBox();
    if (!box) throw new Error('the viewport canvas is not visible');
    await this.page.mouse.move(box.x + box.width * fx, box.y + box.height * fy);
    for (const m of modifiers) await this.page.keyboard.down(m);
    await this.page.mouse.down({ button });
    await this.page.mouse.up({ button });
    for (const m of modifiers) await this.page.keyboard.up(m);
  }

  /**
   * Drags along `path` (fractions of the viewport, 0..1) with the left button and `modifiers` held:
   * Alt = scribble, Shift = lasso (prompt-tool.ts).
   */
  async dragViewport(
    path: readonly (readonly [number, number])[],
    modifiers: ('Alt' | 'Shift')[],
  ): Promise<void> {
    const box = await this.page.locator('.cornerstone-canvas').first().boundingBox();
    if (!box) throw new Error('the viewport canvas is not visible');
    const at = ([fx, fy]: readonly [number, number]) =>
      [box.x + box.width * fx, box.y + box.height * fy] as const;
    await this.page.mouse.move(...at(path[0]));
    for (const m of modifiers) await this.page.keyboard.down(m);
    await this.page.mouse.down();
    for (const p of path.slice(1)) await this.page.mouse.move(...at(p), { steps: 3 });
    await this.page.mouse.up();
    for (const m of modifiers) await this.page.keyboard.up(m);
  }

  /** The active segment's prompts by slice (voxel coordinates), from the extension's commands. */
  async prompts(): Promise<PromptView[]> {
    return this.command<PromptView[]>('medsam2GetPrompts');
  }

  /** Waits until the active segment's prompts satisfy `count` points in total. */
  async waitForPointCount(count: number, timeout = 60000): Promise<PromptView[]> {
    await this.page.waitForFunction(
      (n) => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const prompts = cm.runCommand('medsam2GetPrompts') as PromptView[];
        return prompts.reduce((k, p) => k + (p.points?.length ?? 0), 0) === n;
      },
      count,
      { timeout },
    );
    return this.prompts();
  }

  async state(): Promise<PanelStateView> {
    return this.command<PanelStateView>('medsam2GetState');
  }

  async coverage(): Promise<number[]> {
    return this.command<number[]>('medsam2LabelmapCoverage');
  }

  async command<T>(name: string, options: Record<string, unknown> = {}): Promise<T> {
    return this.page.evaluate(
      async ([n, o]) => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string, o: unknown): unknown } })
          .commandsManager;
        // Structured-clone the answer out of the page (object URLs and typed arrays stay simple).
        return JSON.parse(JSON.stringify(await cm.runCommand(n as string, o))) as unknown;
      },
      [name, options] as const,
    ) as Promise<T>;
  }

  /** Waits until a slice of the first segment holds a prompted result (or the panel shows an error). */
  async waitForPromptedSlice(timeout = 60000): Promise<{ slice: number; error?: string }> {
    const handle = await this.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as PanelStateView;
        const k = s.segments[0]?.slices.findIndex((r) => r?.prompted) ?? -1;
        if (k >= 0) return { slice: k };
        return s.error ? { slice: -1, error: s.error } : null;
      },
      undefined,
      { timeout },
    );
    return (await handle.jsonValue()) as { slice: number; error?: string };
  }

  /** Presses Accept and waits until the prompt tool is released (the final masks are drawn by then). */
  async accept(): Promise<void> {
    await this.page.click('[data-cy="medsam2-accept"]');
    await this.page.waitForFunction(() => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      return (cm.runCommand('medsam2GetState') as PanelStateView).toolActive === false;
    });
  }

  /** Opens the panel's Settings section (a <details>) unless it is open already. */
  async openSettings(): Promise<void> {
    const details = this.page.locator('[data-cy="medsam2-settings"]');
    if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open)))
      await details.locator('summary').click();
  }

  /**
   * Presses Propagate and waits until the run has ended. When an earlier run left its progress on
   * show, pass its total: the finished state of this run must be told apart from that one.
   */
  async propagateToEnd(previousTotal?: number, timeout = 180000): Promise<void> {
    await this.page.click('[data-cy="medsam2-propagate"]');
    const notPrevious = previousTotal === undefined ? '' : `:not([data-total="${previousTotal}"])`;
    await this.page.waitForSelector(
      `[data-cy="medsam2-progress"][data-running="false"]:not([data-total="0"])${notPrevious}`,
      { timeout },
    );
  }

  /** Reopens the study in the mode; answers how many SEG series OHIF lists for it. */
  async reopenListingSegs(studyUid = SAMPLE_STUDY_UID): Promise<number> {
    await this.open(studyUid);
    return this.segThumbnail().count();
  }

  /**
   * Loads the SEG series OHIF lists (double-click, confirm the hydration) and opens the
   * segmentation panel; resolves once it shows `segmentLabel`. `screenshotBeforeLoad` saves the
   * viewer as it asks to load the SEG.
   */
  async loadListedSeg(segmentLabel: string, screenshotBeforeLoad?: string): Promise<void> {
    await this.segThumbnail().dblclick();
    await this.page.waitForSelector('[data-cy="yes-hydrate-btn"]', { timeout: 60000 });
    if (screenshotBeforeLoad) await this.page.screenshot({ path: screenshotBeforeLoad });
    await this.page.click('[data-cy="yes-hydrate-btn"]');
    await this.page.click('[data-cy="panelSegmentation-btn"]');
    await this.page.getByText(segmentLabel).first().waitFor({ timeout: 30000 });
  }

  private segThumbnail() {
    return this.page.locator('[data-cy="study-browser-thumbnail-no-image"]', { hasText: 'SEG' });
  }

  async exportSeg(): Promise<string> {
    await this.page.click('[data-cy="medsam2-export-seg"]');
    const el = await this.page.waitForSelector(
      '[data-cy="medsam2-export"][data-status="stored"], [data-cy="medsam2-export"][data-status="failed"]',
      { timeout: 60000 },
    );
    return (await el.getAttribute('data-status')) ?? '';
  }
}
