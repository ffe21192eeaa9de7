/**
 * Failure paths stay visible and recoverable: a model URL that answers 404 is a panel error (the
 * viewer keeps working), and a PACS that refuses the SEG leads to the SEG being offered for
 * download, never lost.
 */
import { readFileSync } from 'node:fs';
import { data as dcmjsData } from 'dcmjs';
import { type BrowserSession, type Stack, artifactPath, launchBrowser, startStack } from './support/stack';
import { ViewerPage } from './support/viewer-page';

/** Orthanc refuses every SEG instance (STOW-RS of our export fails), accepts everything else. */
const REFUSE_SEG_LUA = `
function ReceivedInstanceFilter(dicom, origin, info)
  return dicom.Modality ~= 'SEG'
end
`;

let session: BrowserSession;
const stacks: Stack[] = [];

beforeAll(async () => {
  session = await launchBrowser();
});

afterAll(async () => {
  await session?.close();
  for (const s of stacks) await s.stop();
});

describe('failure paths', () => {
  test('a model URL answering 404 shows a model error in the panel and the viewer keeps working', async () => {
    const stack = await startStack({ modelUrl: '/medsam2/models/missing-model/' });
    stacks.push(stack);
    const viewer = new ViewerPage(session.page, stack.server.url);
    await viewer.open();
    await viewer.activatePromptTool();
    const error = await session.page.textContent('[data-cy="medsam2-model-error"]');
    expect(error).toContain('missing-model/manifest.json');
    expect(error).toContain('HTTP 404');
    // The panel says it once, in the model section: not again as a series or action error.
    const panel = (await session.page.textContent('[data-cy="medsam2-panel"]')) ?? '';
    expect(panel.split('missing-model/manifest.json').length - 1).toBe(1);
    expect(panel.split('404').length - 1).toBe(1);
    await expect(session.page.locator('[data-cy="medsam2-error"]').count()).resolves.toBe(0);
    const state = await viewer.state();
    expect(state.model.status).toBe('error');
    expect(state.series.status).toBe('none');
    expect(state.error).toBeUndefined();
    // The viewer still works: the image is there and scrolling through the series moves the slice.
    const overlay = '[data-cy="viewport-overlay-bottom-right"]';
    const before = await session.page.textContent(overlay);
    const box = await session.page.locator('.cornerstone-canvas').first().boundingBox();
    await session.page.mouse.move((box?.x ?? 0) + 300, (box?.y ?? 0) + 300);
    await session.page.mouse.wheel(0, 300);
    await session.page.waitForFunction(
      ([sel, text]) => document.querySelector(sel as string)?.textContent !== text,
      [overlay, before] as const,
      { timeout: 10000 },
    );
    expect(session.pageErrors).toEqual([]);
    await session.page.screenshot({ path: artifactPath('failure-model-404.png') });
  });

  test('a PACS refusing the SEG makes the panel offer the SEG for download', async () => {
    const stack = await startStack({ lua: REFUSE_SEG_LUA });
    stacks.push(stack);
    const viewer = new ViewerPage(session.page, stack.server.url);
    await viewer.open();
    await viewer.activatePromptTool();
    await viewer.clickViewport(0.5, 0.45);
    expect((await viewer.waitForPromptedSlice()).error).toBeUndefined();
    await expect(viewer.exportSeg()).resolves.toBe('failed');
    const message = await session.page.textContent('[data-cy="medsam2-export-error"]');
    expect(message).toMatch(/storing the SEG failed/);
    await session.page.screenshot({ path: artifactPath('failure-stow-refused.png') });
    const [download] = await Promise.all([
      session.page.waitForEvent('download'),
      session.page.click('[data-cy="medsam2-download"]'),
    ]);
    const path = artifactPath('downloaded-seg.dcm');
    await download.saveAs(path);
    const bytes = readFileSync(path);
    expect(bytes.subarray(128, 132).toString('latin1')).toBe('DICM');
    const dict = dcmjsData.DicomMessage.readFile(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    );
    const seg = dcmjsData.DicomMetaDictionary.naturalizeDataset(dict.dict) as Record<string, unknown>;
    expect(seg.Modality).toBe('SEG');
    // Nothing reached the PACS.
    const series = await (
      await fetch(`${stack.orthanc.url}/tools/find`, {
        method: 'POST',
        body: JSON.stringify({ Level: 'Series', Query: { Modality: 'SEG' } }),
      })
    ).json();
    expect(series).toEqual([]);
  });
});
