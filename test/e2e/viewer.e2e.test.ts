/**
 * The radiologist's path in a real viewer (wasm backend: this Chromium has no GPU adapter):
 * open the sample MR series in the MedSAM-2 mode, prompt, propagate, export a SEG to Orthanc,
 * reopen the study and load that SEG in OHIF.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { data as dcmjsData } from 'dcmjs';
import { CONTENT_SECURITY_POLICY } from '../../extension/serve/server';
import {
  type BrowserSession,
  OHIF_UNDER_TEST,
  SAMPLE_STUDY_UID,
  type Stack,
  artifactPath,
  launchBrowser,
  startStack,
} from './support/stack';
import { type PanelStateView, ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;
let promptedSlice = -1;
/** The first propagation's progress total (acquisition plane only, the default). */
let firstTotal = 0;

/** The segment's edits made in the panel; the exported SEG must carry them. */
const EDITED = {
  label: 'Left lateral ventricle',
  color: '#33cc66',
  category: { value: '91723000', scheme: 'SCT', meaning: 'Anatomical Structure' },
  type: { value: '12738006', scheme: 'SCT', meaning: 'Brain' },
};

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

describe(`MedSAM-2 in OHIF ${OHIF_UNDER_TEST} (wasm)`, () => {
  test('the mode shows the panel, labels the test model and reports the wasm fallback', async () => {
    await viewer.activatePromptTool();
    const state = await viewer.state();
    expect(state.series.status).toBe('ready');
    expect(state.series.slices).toBe(20);
    expect(state.model.info?.backend).toBe('wasm');
    expect(state.model.info?.fallbacks.map((f) => f.name)).toEqual(['webgpu']);
    await expect(session.page.textContent('[data-cy="medsam2-test-model"]')).resolves.toContain('TEST MODEL');
    await expect(session.page.getAttribute('[data-cy="medsam2-backend"]', 'data-backend')).resolves.toBe(
      'wasm',
    );
    await expect(session.page.isVisible('[data-cy="medsam2-fallback-webgpu"]')).resolves.toBe(true);
  });

  test('a click on the slice draws that slice’s mask into the cornerstone labelmap', async () => {
    await viewer.clickViewport(0.5, 0.45);
    const { slice, error } = await viewer.waitForPromptedSlice();
    expect(error).toBeUndefined();
    promptedSlice = slice;
    const coverage = await viewer.coverage();
    expect(coverage).toHaveLength(20);
    expect(coverage[slice]).toBeGreaterThan(50);
    // Only the prompted slice is drawn before propagation.
    expect(coverage.filter((n) => n > 0)).toHaveLength(1);
    await session.page.screenshot({ path: artifactPath('wasm-after-prompt.png') });
  });

  test('a right-click adds an exclude point on the slice; Undo takes it back', async () => {
    const undo = '[data-cy="medsam2-undo"]';
    await expect(session.page.isEnabled(undo)).resolves.toBe(true); // the first click can be undone
    // Right-click away from the structure: OHIF's zoom must not take the button.
    await viewer.clickViewport(0.25, 0.3, [], 'right');
    const prompts = await viewer.waitForPointCount(2);
    expect(prompts).toHaveLength(1);
    expect(prompts[0].slice).toBe(promptedSlice);
    expect(prompts[0].points?.map((p) => p.label)).toEqual([1, 0]);
    const [include, exclude] = prompts[0].points ?? [];
    expect(exclude.x).toBeLessThan(include.x);
    expect(exclude.y).toBeLessThan(include.y);
    expect((await viewer.state()).error).toBeUndefined();
    await session.page.screenshot({ path: artifactPath('wasm-right-click.png') });
    await session.page.click(undo);
    const after = await viewer.waitForPointCount(1);
    expect(after).toEqual([{ slice: promptedSlice, points: [include] }]);
    await expect(session.page.isEnabled(undo)).resolves.toBe(true);
    await expect(
      session.page.getAttribute(`[data-cy="medsam2-confidence-${promptedSlice}"]`, 'data-state'),
    ).resolves.toBe('ok');
    expect((await viewer.coverage())[promptedSlice]).toBeGreaterThan(50);
  });

  test('propagation runs to the end and the labelmap covers the slices the engine found the object on', async () => {
    await viewer.propagateToEnd();
    const state = await viewer.state();
    expect(state.propagation.running).toBe(false);
    expect(state.propagation.total).toBeGreaterThan(0);
    expect(state.propagation.done).toBe(state.propagation.total);
    const results = state.segments[0].slices;
    const coverage = await viewer.coverage();
    const present = results.map((r) => r?.present === true);
    // Every slice the engine reported present has labelmap pixels, every absent one has none.
    coverage.forEach((n, k) => expect({ slice: k, drawn: n > 0 }).toEqual({ slice: k, drawn: present[k] }));
    expect(present.filter(Boolean).length).toBeGreaterThan(1);
    firstTotal = state.propagation.total;
    // Progress text and bar agree with the state.
    await expect(session.page.getAttribute('[data-cy="medsam2-progress"]', 'data-done')).resolves.toBe(
      String(state.propagation.total),
    );
    // The confidence strip has a cell per slice, the prompted one marked.
    await expect(session.page.locator('[data-cy^="medsam2-confidence-"][data-state]').count()).resolves.toBe(
      20,
    );
    await session.page.screenshot({ path: artifactPath('wasm-after-propagation.png') });
  });

  test('a confidence cell click scrolls the viewport to that slice', async () => {
    const overlay = '[data-cy="viewport-overlay-bottom-right"]';
    const before = await session.page.textContent(overlay);
    const target = promptedSlice === 0 ? 19 : 0;
    await session.page.click(`[data-cy="medsam2-confidence-${target}"]`);
    // OHIF shows "I:<instance> (<index>/<count>)": it changes to the clicked slice.
    await session.page.waitForFunction(
      ([sel, text]) => document.querySelector(sel as string)?.textContent !== text,
      [overlay, before] as const,
      { timeout: 10000 },
    );
    const after = await session.page.textContent(overlay);
    expect(after).toMatch(/\((1|20)\/20\)/);
    await session.page.screenshot({ path: artifactPath('wasm-jumped-slice.png') });
  });

  test('a settings change applies at the next Propagate: the series is redone under it (all orientations, then back to one)', async () => {
    const orientations = '[data-cy="medsam2-setting-orientations"]';
    await viewer.openSettings();
    await session.page.selectOption(orientations, 'all');
    const pending = await viewer.state();
    expect(pending.settings.orientations).toBe('all');
    // Nothing re-runs before Propagate, and the section stays open for the next change.
    expect(pending.propagation).toMatchObject({ running: false, done: firstTotal, total: firstTotal });
    await expect(session.page.isVisible('[data-cy="medsam2-setting-k"]')).resolves.toBe(true);

    await viewer.propagateToEnd(firstTotal);
    const all = await viewer.state();
    // Redone to the end, the coronal and sagittal axes too.
    expect(all.propagation.total).toBeGreaterThan(firstTotal);
    expect(all.propagation.done).toBe(all.propagation.total);
    await expect(session.page.getAttribute('[data-cy="medsam2-progress"]', 'data-done')).resolves.toBe(
      String(all.propagation.total),
    );
    const allStream = await viewer.coverage();
    // The labelmap shows the axial stream as it arrives; Accept draws the engine's final mask, the
    // aggregate over the three axes, which is another mask.
    await viewer.accept();
    await expect(viewer.coverage()).resolves.not.toEqual(allStream);
    await session.page.screenshot({ path: artifactPath('wasm-all-orientations-accepted.png') });

    // Back to the acquisition plane: redone again, on one axis. Both redos replay the same prompts
    // and the axial run does not depend on the other axes, so the axial results are the same. (Not
    // those of the first run: its prompted slice was refined click by click, and a slice's earlier
    // mask feeds its next prompt; a redo starts from the prompts alone.)
    await viewer.openSettings();
    await session.page.selectOption(orientations, 'single');
    await viewer.propagateToEnd(all.propagation.total);
    const single = await viewer.state();
    expect(single.propagation).toMatchObject({ running: false, done: firstTotal, total: firstTotal });
    const rounded = (s: PanelStateView) =>
      s.segments[0].slices.map((r) => r && { ...r, confidence: r.confidence.toFixed(5) });
    expect(rounded(single)).toEqual(rounded(all));
    const streamed = (c: number[]) => c.filter((_, k) => k !== promptedSlice); // Accept redrew the prompted one
    expect(streamed(await viewer.coverage())).toEqual(streamed(allStream));
  });

  test('rename, colour and category/type edits in the panel update the segment', async () => {
    const id = (await viewer.state()).segments[0].objectId;
    const label = session.page.locator(`[data-cy="medsam2-segment-label-${id}"]`);
    await label.fill(EDITED.label);
    await label.press('Enter');
    await label.blur();
    await session.page.locator(`[data-cy="medsam2-segment-color-${id}"]`).fill(EDITED.color);
    await session.page.selectOption(`[data-cy="medsam2-segment-category-${id}"]`, {
      label: EDITED.category.meaning,
    });
    await session.page.selectOption(`[data-cy="medsam2-segment-type-${id}"]`, { label: EDITED.type.meaning });
    await expect(label.inputValue()).resolves.toBe(EDITED.label);
    await expect(session.page.locator(`[data-cy="medsam2-segment-color-${id}"]`).inputValue()).resolves.toBe(
      EDITED.color,
    );
    const selected = (cy: string) =>
      session.page.locator(`[data-cy="${cy}-${id}"] option:checked`).textContent();
    await expect(selected('medsam2-segment-category')).resolves.toBe(EDITED.category.meaning);
    await expect(selected('medsam2-segment-type')).resolves.toBe(EDITED.type.meaning);
    const segment = (await viewer.state()).segments[0] as unknown as Record<string, unknown>;
    expect(segment).toMatchObject({ label: EDITED.label, color: [0x33, 0xcc, 0x66] });
    expect(segment.category).toEqual(EDITED.category);
    expect(segment.type).toEqual(EDITED.type);
  });

  test('Export SEG stores a SEG in Orthanc that passes dciodvfy', async () => {
    await expect(viewer.exportSeg()).resolves.toBe('stored');
    const qido = await fetch(`${stack.orthanc.dicomWebUrl}/studies/${SAMPLE_STUDY_UID}/series?Modality=SEG`);
    const series = (await qido.json()) as Record<string, { Value?: unknown[] }>[];
    expect(series).toHaveLength(1);
    const seriesUid = String(series[0]['0020000E'].Value?.[0]);
    const instances = (await (
      await fetch(`${stack.orthanc.url}/tools/find`, {
        method: 'POST',
        body: JSON.stringify({ Level: 'Instance', Query: { SeriesInstanceUID: seriesUid } }),
      })
    ).json()) as string[];
    expect(instances).toHaveLength(1);
    const file = Buffer.from(
      await (await fetch(`${stack.orthanc.url}/instances/${instances[0]}/file`)).arrayBuffer(),
    );
    const path = artifactPath('exported-seg.dcm');
    writeFileSync(path, file);
    const result = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
    const errors = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((l) => l.startsWith('Error'))
      // The sample's own UIDs start with "0.0.0.0": the SEG must reference them verbatim.
      .filter((l) => !/Illegal root for UID - "0\.0\.0\.0\./.test(l));
    expect(errors).toEqual([]);
    const dump = execFileSync('dcmdump', ['+P', '0008,0060', '+P', '0062,0005', path], { encoding: 'utf8' });
    expect(dump).toContain('[SEG]');
    expect(dump).toContain(`[${EDITED.label}]`);
    // The panel's edits are in the SEG's segment description.
    const dict = dcmjsData.DicomMessage.readFile(
      file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
    );
    const seg = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.dict) as {
      SegmentSequence: Record<string, unknown>[] | Record<string, unknown>;
    };
    const segments = [seg.SegmentSequence].flat();
    expect(segments).toHaveLength(1);
    const s0 = segments[0];
    expect(s0.SegmentLabel).toBe(EDITED.label);
    const code = (c: unknown) => {
      const item = [c].flat()[0] as Record<string, string>;
      return { value: item.CodeValue, scheme: item.CodingSchemeDesignator, meaning: item.CodeMeaning };
    };
    expect(code(s0.SegmentedPropertyCategoryCodeSequence)).toEqual(EDITED.category);
    expect(code(s0.SegmentedPropertyTypeCodeSequence)).toEqual(EDITED.type);
    const lab = s0.RecommendedDisplayCIELabValue as number[];
    expect(lab).toEqual(dcmjsData.Colors.rgb82DICOMLAB([0x33, 0xcc, 0x66]));
    const back = dcmjsData.Colors.dicomlab2RGB8(lab);
    back.forEach((v: number, i: number) =>
      expect(Math.abs(v - [0x33, 0xcc, 0x66][i])).toBeLessThanOrEqual(1),
    );
  });

  test('after reopening the study OHIF lists the SEG and loads it', async () => {
    await expect(viewer.reopenListingSegs()).resolves.toBe(1);
    await viewer.loadListedSeg(EDITED.label, artifactPath('wasm-reopened-seg.png'));
    await session.page.screenshot({ path: artifactPath('wasm-seg-loaded.png') });
  });

  test("the whole path ran under the server's CSP (3.14 baseline + 'unsafe-eval' for OHIF's SEG display) with no violation", async () => {
    const answer = await fetch(`${stack.server.url}/`);
    expect(answer.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(session.cspViolations).toEqual([]);
  });

  test('no request left for any host but the viewer server', () => {
    const origin = new URL(stack.server.url).origin;
    const elsewhere = session.requests.filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u));
    expect(elsewhere).toEqual([]);
    expect(session.requests.length).toBeGreaterThan(20);
    expect(session.pageErrors).toEqual([]);
  });
});
