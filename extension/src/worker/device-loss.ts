/**
 * Watching the GPU device a backend runs on. WebGPU reports a lost device (driver reset, GPU
 * removed, the browser reclaiming it) by resolving `device.lost`; the worker then moves the model
 * to the next backend at once (FallbackModel.deviceLost), so the next graph call runs there instead
 * of failing on the dead device first.
 */
import type { BackendName } from '../engine/runtime/backend';

/** GPUDeviceLostInfo, as far as it is read here. */
export interface DeviceLostInfo {
  readonly reason?: string;
  readonly message?: string;
}

/** The part of a GPUDevice that is watched. */
export interface LosableDevice {
  readonly lost: Promise<DeviceLostInfo>;
}

export function lostReason(backend: BackendName, info: DeviceLostInfo): string {
  const message = info.message?.trim();
  return `${backend} device lost (${info.reason ?? 'unknown'})${message ? `: ${message}` : ''}`;
}

/** Calls `onLost` with the reason once `device` is lost; does nothing without a device. */
export function watchDevice(
  backend: BackendName,
  device: LosableDevice | undefined,
  onLost: (reason: string) => void,
): void {
  device?.lost.then(
    (info) => onLost(lostReason(backend, info ?? {})),
    () => undefined,
  );
}

const isLosable = (d: unknown): d is LosableDevice =>
  typeof d === 'object' &&
  d !== null &&
  typeof (d as { lost?: { then?: unknown } }).lost?.then === 'function';

/**
 * onnxruntime-web's WebGPU device (`env.webgpu.device`), read once a WebGPU session exists. Its
 * typings say Promise<GPUDevice>; 1.30's WebGPU backend stores the device itself there. Undefined
 * when there is none.
 */
export async function ortWebGpuDevice(env: {
  readonly webgpu?: unknown;
}): Promise<LosableDevice | undefined> {
  const device: unknown = await (env.webgpu as { device?: unknown } | undefined)?.device;
  return isLosable(device) ? device : undefined;
}
