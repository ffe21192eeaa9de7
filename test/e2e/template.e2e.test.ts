/**
 * "Use as template" in the viewer (issue 14, paper §3.3): a click on the sample MR series makes a
 * prompted slice; that slice segments every frame of a multi-frame series (a Multi-frame Grayscale
 * Word SC built from the sample's pixels: a cine without patient geometry) and every image of a
 * second MR series. One frame is corrected with a click on it (a new conditioning image), and
 * Export writes a SEG per series: on the volume for the MR copy, on the 2D frames for the cine
 * (no patient geometry: its frames are referenced by SOP instance and frame number).
 * Chromium against the stock OHIF, wasm, the test model.
 */
import { type TemplateStateView, ViewerPage } from './support/viewer-page';
import {
  COPY_SERIES_UID,
  MULTIFRAME_FRAMES,
  MULTIFRAME_SERIES_UID,
  MULTIFRAME_SOP_UID,
  copiedSeries,
  multiFrameSecondaryCapture,
} from './support/extra-series';
import { type BrowserSession, type Stack, artifactPath, launchBrowser, startStack } from './support/stack';

/** DICOM JSON (PS3.18 F.2): tag → { vr, Value }. */
type DicomJson = Record<string, { vr?: string; Value?: unknown[] }>;

interface Choice {
  displaySetInstanceUID: string;
  label: string;
  images: number;
  frames: boolean;
}

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;
let cine: Choice;
let copy: Choice;
/** The set's images after its first run (before any correction). */
let firstRun: TemplateStateView['images'];

beforeAll(async () => {
  stack = await startStack();
  await stack.orthanc.upload([multiFrameSecondaryCapture(), ...copiedSeries()]);
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
  await viewer.activatePromptTool();
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

const template = async () => (await viewer.state()).template;

/** Waits until the template's `runs`-th run has ended (or the panel shows an error). */
async function waitForRun(runs: number): Promise<TemplateStateView> {
  await session.page.waitForFunction(
    (n) => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const s = cm.runCommand('medsam2GetState') as { error?: string; template: { runs: number } };
      return s.error !== undefined || s.template.runs >= n;
    },
    runs,
    { timeout: 180000 },
  );
  const state = await viewer.state();
  expect(state.error).toBeUndefined();
  return state.template;
}

const coverage = (uid: string) =>
  viewer.command<number[]>('medsam2TemplateCoverage', { displaySetInstanceUID: uid });

describe('Use as template: one prompt, many images', () => {
  test('the prompted slice segments every frame of a multi-frame series and every image of another series, each with its confidence', async () => {
    await viewer.clickViewport(0.5, 0.45);
    const { slice, error } = await viewer.waitForPromptedSlice();
    expect(error).toBeUndefined();
    expect(slice).toBeGreaterThanOrEqual(0);

    const choices = await viewer.command<Choice[]>('medsam2TemplateChoices');
    const bySeries = (n: string) => choices.find((c) => c.label.includes(n));
    cine = bySeries('#100') as Choice;
    copy = bySeries('#101') as Choice;
    expect(cine).toMatchObject({ images: MULTIFRAME_FRAMES, frames: true });
    expect(copy).toMatchObject({ images: 10, frames: false });
    // The template's own series is Propagate's job, not offered here.
    expect(choices).toHaveLength(2);

    for (const c of [cine, copy])
      await session.page.click(
        `[data-cy="medsam2-template-choice"][data-uid="${c.displaySetInstanceUID}"] input`,
      );
    await session.page.click('[data-cy="medsam2-use-template"]');
    const t = await waitForRun(1);
    expect(t.status).toBe('done');
    expect(t.total).toBe(1 + MULTIFRAME_FRAMES + 10);
    expect(t.done).toBe(t.total);
    expect(t.images[0].prompted).toBe(true);
    const frames = t.images.filter((i) => i.displaySetInstanceUID === cine.displaySetInstanceUID);
    expect(frames.map((f) => f.imageIndex)).toEqual([...Array(MULTIFRAME_FRAMES).keys()]);
    expect(frames[0].name).toMatch(/#100 .* frame 1$/);
    for (const i of t.images.slice(1)) {
      expect(i.prompted).toBe(false);
      expect(i.confidence).toEqual(expect.any(Number));
    }
    // The cine's frames are slices of the template's series: the structure is found on most.
    expect(frames.filter((f) => f.present).length).toBeGreaterThanOrEqual(MULTIFRAME_FRAMES / 2);
    // Each mask is painted into the labelmap on its own display set, pixel for pixel.
    expect(await coverage(cine.displaySetInstanceUID)).toEqual(frames.map((f) => f.area));
    const copies = t.images.filter((i) => i.displaySetInstanceUID === copy.displaySetInstanceUID);
    expect(await coverage(copy.displaySetInstanceUID)).toEqual(copies.map((f) => f.area));
    await session.page.screenshot({ path: artifactPath('template-1-results.png') });
  });

  test('a click on a frame is a correction: that frame becomes a conditioning image and the set is segmented again', async () => {
    const before = await template();
    firstRun = before.images;
    const frame = before.images.find(
      (i) => i.displaySetInstanceUID === cine.displaySetInstanceUID && i.imageIndex === 3,
    );
    if (!frame) throw new Error('frame 4 is not in the set');
    await session.page.click(`[data-cy="medsam2-template-image"][data-index="${frame.index}"]`);
    await session.page.waitForSelector(
      `[data-cy="medsam2-template-image"][data-index="${frame.index}"][data-shown="true"]`,
    );
    await viewer.clickViewport(0.5, 0.45);
    const t = await waitForRun(before.runs + 1);
    expect(t.status).toBe('done');
    expect(t.done).toBe(t.total);
    const corrected = t.images[frame.index];
    expect(corrected.prompted).toBe(true);
    expect(corrected.present).toBe(true);
    expect(t.images.filter((i) => i.prompted).map((i) => i.index)).toEqual([0, frame.index]);
    expect((await coverage(cine.displaySetInstanceUID))[3]).toBe(corrected.area);
    // The correction's click is drawn on its frame.
    expect(await session.page.locator('svg [data-id="medsam2-marker-include"]').count()).toBe(1);
    await session.page.screenshot({ path: artifactPath('template-2-correction.png') });
    // Propagate acts on the template's series: with the cine in view it says how to get back there.
    await session.page.click('[data-cy="medsam2-propagate"]');
    await session.page.waitForSelector('[data-cy="medsam2-error"]');
    expect((await viewer.state()).error).toMatch(/click the Template line to go back/);
    expect((await viewer.state()).series.status).toBe('ready');
  });

  test("Undo with a frame of the set in view takes the correction back, not the series' prompt", async () => {
    const before = await template();
    const seriesPrompts = (await viewer.prompts()).length;
    expect(before.corrections).toBe(1);
    await session.page.click('[data-cy="medsam2-undo"]');
    const t = await waitForRun(before.runs + 1);
    expect(t.status).toBe('done');
    expect(t.corrections).toBe(0);
    expect(t.images.filter((i) => i.prompted).map((i) => i.index)).toEqual([0]);
    // The same prompts and encodings as the first run: every image shows what it showed then.
    expect(t.images.map((i) => [i.index, i.present, i.area])).toEqual(
      firstRun.map((i) => [i.index, i.present, i.area]),
    );
    const frames = t.images.filter((i) => i.displaySetInstanceUID === cine.displaySetInstanceUID);
    expect(await coverage(cine.displaySetInstanceUID)).toEqual(frames.map((f) => f.area));
    await session.page.waitForFunction(
      () => document.querySelectorAll('svg [data-id="medsam2-marker-include"]').length === 0,
    );
    expect(await session.page.locator('[data-cy="medsam2-template-undo"]').isDisabled()).toBe(true);
    // The template's own series keeps its prompt.
    expect((await viewer.prompts()).length).toBe(seriesPrompts);
  });

  test('Export writes a SEG for the series that forms a volume and one on the frames of the multi-frame cine', async () => {
    await session.page.click('[data-cy="medsam2-template-export"]');
    await session.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as { template: { exports: unknown[] } };
        return s.template.exports.length === 2;
      },
      undefined,
      { timeout: 60000 },
    );
    const t = await template();
    const { exports } = t;
    const of = (c: Choice) => exports.find((x) => x.displaySetInstanceUID === c.displaySetInstanceUID);
    expect(of(copy)).toMatchObject({ status: 'stored' });
    expect(of(cine)).toMatchObject({ status: 'stored' });
    await session.page.locator('[data-cy="medsam2-template"]').scrollIntoViewIfNeeded();
    await session.page.screenshot({ path: artifactPath('template-3-export.png') });
    // Both SEGs are in the PACS: one references the copied series, the other the cine's one instance,
    // frame by frame: exactly the frames where the structure was found.
    const study = `${stack.orthanc.dicomWebUrl}/studies/0.0.0.0.2.8811.20010413115754.12432`;
    const segs = (await (await fetch(`${study}/series?Modality=SEG`)).json()) as Record<
      string,
      { Value?: string[] }
    >[];
    expect(segs).toHaveLength(2);
    const metadata = await Promise.all(
      segs.map(async (s) => {
        const uid = s['0020000E'].Value?.[0];
        return (await (await fetch(`${study}/series/${uid}/metadata`)).json()) as DicomJson[];
      }),
    );
    const texts = metadata.map((m) => JSON.stringify(m));
    const copySeg = texts.findIndex((m) => m.includes(COPY_SERIES_UID));
    const cineSeg = texts.findIndex((m) => m.includes(MULTIFRAME_SERIES_UID));
    expect(copySeg).toBeGreaterThanOrEqual(0);
    expect(cineSeg).toBeGreaterThanOrEqual(0);
    expect(cineSeg).not.toBe(copySeg);
    expect(texts[copySeg]).not.toContain(MULTIFRAME_SERIES_UID);
    const cineMeta = metadata[cineSeg][0];
    expect(cineMeta['00200052']).toBeUndefined(); // no Frame of Reference: the cine has none
    const perFrame = cineMeta['52009230'].Value as DicomJson[];
    const sources = perFrame.map((f) => {
      const derivation = (f['00089124'].Value as DicomJson[])[0];
      const source = (derivation['00082112'].Value as DicomJson[])[0];
      return [source['00081155'].Value?.[0], source['00081160'].Value?.[0]];
    });
    const found = t.images
      .filter((i) => i.displaySetInstanceUID === cine.displaySetInstanceUID && (i.area ?? 0) > 0)
      .map((i) => i.imageIndex + 1);
    expect(found.length).toBeGreaterThan(0);
    expect(sources).toEqual(found.map((frame) => [MULTIFRAME_SOP_UID, frame]));
  });

  test('the template line shows the template slice again, with its prompt', async () => {
    await session.page.click('[data-cy="medsam2-template-show"]');
    await session.page.waitForSelector('[data-cy="medsam2-template-show"][data-shown="true"]');
    await session.page.waitForFunction(
      () => document.querySelectorAll('svg [data-id="medsam2-marker-include"]').length === 1,
    );
    expect((await viewer.state()).series.status).toBe('ready');
  });
});
