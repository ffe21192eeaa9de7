/**
 * Run by backends.test.ts in a plain Node process: onnxruntime in-process through createOrtBackend,
 * the browser's candidate list (webgpu → wasm), and one decoder call compared across runtimes.
 * Prints one JSON line.
 */
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { loadModel } from '../../extension/src/engine/model/sam-model';
import { createOrtBackend, selectBackend } from '../../extension/src/engine/runtime/backend';
import { probeBackend } from '../../extension/src/engine/runtime/probe';
import { webBackendCandidates } from '../../extension/src/engine/runtime/web-backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { cleanupModelDirs, diskIntensity, maxAbsDiff, normalisedImage, writeModelDir } from './fixtures';

async function main() {
  const { backend, tried } = await selectBackend(webBackendCandidates(ortWeb));
  const native = await probeBackend(createOrtBackend(ortNode, 'native-cpu'));
  const dir = writeModelDir();
  const decode = async (b: typeof backend) => {
    const model = await loadModel(directoryModelFiles(dir), b);
    const f = await model.encodeImage(normalisedImage(diskIntensity(64, 64, 16)));
    const d = await model.decodeMask({
      imageEmbed: f.visionFeats,
      highRes0: f.highRes0,
      highRes1: f.highRes1,
      pointCoords: new Float32Array([64, 64]),
      pointLabels: new Float32Array([1]),
    });
    await model.release();
    return d.lowResMasks.data;
  };
  const maxDiff = maxAbsDiff(await decode(backend), await decode(native));
  cleanupModelDirs();
  process.stdout.write(
    JSON.stringify({
      chosen: backend.name,
      description: backend.description,
      tried,
      nativeDescription: native.description,
      maxDiffNativeVsWasmDecoder: maxDiff,
    }) + '\n',
  );
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
