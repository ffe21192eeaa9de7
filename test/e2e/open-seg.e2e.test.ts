/**
 * Opening an existing SEG in the panel for editing (issue 12): a SEG exported from the panel and
 * stored in the PACS is, after a reload, listed under "Open SEG…" for the series in view; opened,
 * each of its segments is an editable segment with its name and codes and the same voxels (an
 * unchanged export is the same SEG, frame for frame); a click corrects one slice and only that
 * slice; the next export is a new series. Another tool's SEG (dcmjs's cornerstone adapter, as OHIF 2
 * exported) opens beside the work in the panel, and a SEG that cannot be opened says why and leaves
 * the panel as it was. Chromium against the stock OHIF, wasm, the test model.
 */
import { viewableSampleFiles } from '../../extension/serve/sample-data';
import { DicomWebClient } from '../../extension/src/dicom/dicomweb/client';
import { volumeFromPart10 } from '../../extension/src/dicom/from-part10';
import { type ParsedSeg, parseSeg } from '../../extension/src/dicom/seg-reader';
import { writeSeg } from '../../extension/src/dicom/seg-writer';
import { dcmjsSeg } from '../fixtures/dicom/dcmjs-seg';
import {
  type BrowserSession,
  SAMPLE_STUDY_UID,
  type Stack,
  artifactPath,
  launchBrowser,
  startStack,
} from './support/stack';
import { ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;

beforeAll(async () => {
  stack = await startStack();
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

/** The panel state this suite reads. */
interface OpenedView {
  segments: {
    objectId: number;
    label: string;
    openedFrom?: string;
    type: { meaning: string };
    slices: ({ present: boolean; prompted: boolean; given?: boolean } | null)[];
  }[];
  activeObjectId: number | null;
  export: { status: string; message?: string; seriesNumber?: number };
  error?: string;
}

const state = () => viewer.command<OpenedView>('medsam2GetState');

/** The panel state as a predicate running in the page sees it. */
interface PageState {
  toolActive: boolean;
  series: { status: string };
  queued: number;
  error?: string;
  segments: { openedFrom?: string; slices: ({ prompted: boolean } | null)[] }[];
  export: { status: string; seriesNumber?: number };
}

/** Waits until the prompt tool is active on the series, ready. */
async function waitReady(): Promise<void> {
  await session.page.waitForFunction(
    () => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const s = cm.runCommand('medsam2GetState') as PageState;
      return s.toolActive && s.series.status === 'ready';
    },
    undefined,
    { timeout: 120000 },
  );
}

/** Exports, waits until stored, answers the new series number. */
async function exportSeg(previous?: number): Promise<number> {
  await session.page.click('[data-cy="medsam2-export-seg"]');
  await session.page.waitForFunction(
    (p) => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const x = (cm.runCommand('medsam2GetState') as PageState).export;
      return x.status === 'failed' || (x.status === 'stored' && x.seriesNumber !== p);
    },
    previous,
    { timeout: 60000 },
  );
  const x = (await state()).export;
  expect({ status: x.status, message: x.message }).toEqual({
    status: 'stored',
    message: 'SEG stored in the PACS',
  });
  return x.seriesNumber as number;
}

/** The stored SEG of series number `n`, read back from the PACS (QIDO, then WADO-RS). */
async function storedSeg(n: number): Promise<ParsedSeg> {
  const base = stack.orthanc.dicomWebUrl;
  const json = async (url: string) =>
    (await (await fetch(url)).json()) as Record<string, { Value?: unknown[] }>[];
  const series = (await json(`${base}/studies/${SAMPLE_STUDY_UID}/series?Modality=SEG`)).find(
    (s) => Number(s['00200011']?.Value?.[0]) === n,
  );
  const seriesUid = String(series?.['0020000E']?.Value?.[0]);
  const [instance] = await json(`${base}/studies/${SAMPLE_STUDY_UID}/series/${seriesUid}/instances`);
  const sop = String(instance['00080018']?.Value?.[0]);
  const bytes = await new DicomWebClient({ baseUrl: base }).retrieveInstance(
    SAMPLE_STUDY_UID,
    seriesUid,
    sop,
  );
  return parseSeg(bytes, `series ${n}`);
}

/** A SEG's frames as "referenced SOP → pixels", to compare two SEGs voxel for voxel. */
const framesBySource = (seg: ParsedSeg): Map<string, number[]> =>
  new Map(seg.frames.map((f) => [`${f.segmentNumber}:${f.referencedSOPInstanceUID}`, Array.from(f.pixels)]));

let exported: number;
let exportedCoverage: number[];

describe('opening an existing SEG in the panel (issue 12)', () => {
  test('a segment is made, coded and exported to the PACS', async () => {
    await waitReady();
    await viewer.clickViewport(0.5, 0.45);
    await viewer.waitForPromptedSlice();
    await viewer.propagateToEnd();
    const id = (await state()).segments[0].objectId;
    const search = session.page.locator(`[data-cy="medsam2-segment-type-search-${id}"]`);
    await search.fill('liver');
    await search.press('Enter');
    await search.blur();
    exportedCoverage = await viewer.coverage();
    expect(exportedCoverage.filter((n) => n > 0).length).toBeGreaterThan(3);
    exported = await exportSeg();
  });

  test('after a reload, "Open SEG…" lists it and opens it as an editable segment with the same voxels', async () => {
    // What comes back is the SEG alone: the panel's own saved work (kept in this browser for reloads)
    // is cleared first, as on another workstation.
    await session.page.evaluate(() => localStorage.clear());
    await viewer.open();
    await waitReady();
    const option = session.page.locator('[data-cy="medsam2-open-seg"] option', {
      hasText: `Series ${exported}:`,
    });
    await option.waitFor({ state: 'attached', timeout: 60000 });
    const value = (await option.getAttribute('value')) as string;
    await session.page.selectOption('[data-cy="medsam2-open-seg"]', value);
    await session.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as PageState;
        return s.queued === 0 && (s.error !== undefined || s.segments.some((x) => x.openedFrom));
      },
      undefined,
      { timeout: 120000 },
    );
    const s = await state();
    expect(s.error).toBeUndefined();
    // The untouched first segment made way: one segment, the opened one, selected.
    expect(s.segments).toHaveLength(1);
    const [opened] = s.segments;
    expect(opened).toMatchObject({ label: 'Segment 1', type: { meaning: 'Liver' } });
    expect(opened.openedFrom).toMatch(new RegExp(`^Series ${exported}: Segment 1 - MedSAM-2 \\d\\d:\\d\\d$`));
    expect(s.activeObjectId).toBe(opened.objectId);
    expect(opened.slices.every((r) => r?.given === true)).toBe(true);
    await expect(viewer.coverage()).resolves.toEqual(exportedCoverage);
    await expect(
      session.page.textContent(`[data-cy="medsam2-segment-opened-${opened.objectId}"]`),
    ).resolves.toContain(`Opened from Series ${exported}`);
    await session.page.screenshot({ path: artifactPath('open-seg-1-opened.png') });

    // Exported unchanged, it is the same SEG frame for frame, in a new series.
    const again = await exportSeg(undefined);
    expect(again).toBeGreaterThan(exported);
    const [first, second] = [await storedSeg(exported), await storedSeg(again)];
    expect(second.seriesInstanceUID).not.toBe(first.seriesInstanceUID);
    expect(framesBySource(second)).toEqual(framesBySource(first));
    exported = again;
  });

  test('Propagate on it says why there is nothing to do; a click corrects that slice only; the export is new', async () => {
    await session.page.click('[data-cy="medsam2-propagate"]');
    await expect(
      session.page
        .waitForSelector('[data-cy="medsam2-notice"]', { timeout: 10000 })
        .then((e) => e.textContent()),
    ).resolves.toMatch(/^Segment 1 \(opened from Series \d+: .+\) keeps its slices as they are/);

    const before = await viewer.coverage();
    const shown = before.findIndex((n) => n === Math.max(...before));
    // The strip's cell jumps there (OHIF's image `shown`, as the coverage counts it).
    await session.page.click(`[data-cy="medsam2-confidence-${shown}"]`);
    await session.page.waitForFunction(
      (n) =>
        new RegExp(`\\(${n + 1}/\\d+\\)`).test(
          document.querySelector('[data-cy="viewport-overlay-bottom-right"]')?.textContent ?? '',
        ),
      shown,
    );
    // An exclude click (right button) in the middle of the structure on the slice in view.
    await viewer.clickViewport(0.5, 0.45, [], 'right');
    await session.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as PageState;
        return s.queued === 0 && (s.error !== undefined || s.segments[0].slices.some((r) => r?.prompted));
      },
      undefined,
      { timeout: 60000 },
    );
    const s = await state();
    expect(s.error).toBeUndefined();
    const corrected = s.segments[0].slices.flatMap((r, k) => (r?.prompted ? [k] : []));
    expect(corrected).toEqual([shown]);
    expect(s.segments[0].slices[shown]?.given).toBeUndefined();
    const after = await viewer.coverage();
    expect(after[shown]).not.toBe(before[shown]);
    expect(after.filter((_, k) => k !== shown)).toEqual(before.filter((_, k) => k !== shown));
    await session.page.screenshot({ path: artifactPath('open-seg-2-corrected.png') });

    const third = await exportSeg(exported);
    expect(third).toBeGreaterThan(exported);
    const [previous, latest] = [
      framesBySource(await storedSeg(exported)),
      framesBySource(await storedSeg(third)),
    ];
    const changed = [...new Set([...previous.keys(), ...latest.keys()])].filter(
      (k) => JSON.stringify(previous.get(k)) !== JSON.stringify(latest.get(k)),
    );
    expect(changed).toHaveLength(1);
  });

  test("another tool's SEG opens beside the work; one that cannot be opened says why and changes nothing", async () => {
    // Made outside the viewer and stored in the PACS: dcmjs's SEG of a square on one slice, and one
    // of ours whose two segments overlap.
    const files = viewableSampleFiles().map((b, i) => ({
      name: `sample-${i}`,
      bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
    }));
    const volume = volumeFromPart10(files);
    const [X, Y] = volume.dims;
    const square = new Uint8Array(X * Y);
    for (let y = 100; y < 120; y++) for (let x = 100; x < 120; x++) square[x + X * y] = 1;
    const dcmjs = await dcmjsSeg(files, [{ label: 'Lesion', frames: new Map([[10, square]]) }], {
      rle: true,
    });
    const block = (x0: number) => {
      const m = new Uint8Array(volume.data.length);
      for (let y = 100; y < 110; y++) for (let x = x0; x < x0 + 10; x++) m[x + X * y + X * Y * 9] = 1;
      return m;
    };
    const overlapping = writeSeg(
      volume,
      [
        { label: 'A', mask: block(100) },
        { label: 'B', mask: block(105) },
      ],
      {
        format: 'binary',
        algorithmVersion: 'test',
        modelHash: 'ab'.repeat(32),
        seriesDescription: 'Overlapping',
        seriesNumber: 77,
      },
    );
    await stack.orthanc.upload([new Uint8Array(dcmjs), new Uint8Array(overlapping)]);
    await session.page.evaluate(() => localStorage.clear());
    await viewer.open();
    await waitReady();
    // Some work first: a click on the first segment.
    await viewer.clickViewport(0.5, 0.45);
    await viewer.waitForPromptedSlice();
    await session.page.waitForFunction(() => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      return (cm.runCommand('medsam2GetState') as PageState).queued === 0;
    });
    const work = await state();
    const workCoverage = await viewer.coverage();
    const open = async (label: string) => {
      const option = session.page.locator('[data-cy="medsam2-open-seg"] option', { hasText: label });
      await option.waitFor({ state: 'attached', timeout: 60000 });
      await session.page.selectOption(
        '[data-cy="medsam2-open-seg"]',
        (await option.getAttribute('value')) as string,
      );
      await session.page.waitForFunction(
        () => {
          const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
            .commandsManager;
          const s = cm.runCommand('medsam2GetState') as PageState & { busy?: string };
          return s.queued === 0 && s.busy === undefined;
        },
        undefined,
        { timeout: 60000 },
      );
      return state();
    };

    const refused = await open('Series 77: Overlapping');
    expect(refused.error).toContain('segment 1 "A" and segment 2 "B" overlap (50 voxel(s)');
    await expect(session.page.textContent('[data-cy="medsam2-error"]')).resolves.toContain('overlap');
    expect(refused.segments).toEqual(work.segments);
    await expect(viewer.coverage()).resolves.toEqual(workCoverage);
    await session.page.screenshot({ path: artifactPath('open-seg-3-refused.png') });

    const opened = await open('Series 99: Research Derived series');
    expect(opened.error).toBeUndefined();
    expect(opened.segments.map((x) => x.label)).toEqual(['Segment 1', 'Lesion']);
    expect(opened.segments[0]).toEqual(work.segments[0]);
    expect(opened.segments[1].openedFrom).toBe('Series 99: Research Derived series');
    const lesion = await viewer.command<number[]>('medsam2LabelmapCoverage', {
      objectId: opened.segments[1].objectId,
    });
    expect(lesion.filter((n) => n > 0)).toEqual([400]);
    await expect(
      viewer.command<number[]>('medsam2LabelmapCoverage', { objectId: work.segments[0].objectId }),
    ).resolves.toEqual(workCoverage);
    await session.page.screenshot({ path: artifactPath('open-seg-4-another-tool.png') });
  });
});
