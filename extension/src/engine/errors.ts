/**
 * Errors are values with a kind a caller can branch on and a message a user can act on.
 * Each subsystem has its own error class; every kind is listed here so the worker protocol and the
 * CLI can map them without string matching.
 */

export type ModelErrorKind =
  | 'manifest-missing'
  | 'manifest-invalid'
  | 'manifest-outdated'
  | 'graph-missing'
  | 'hash-mismatch'
  | 'graph-signature'
  | 'unsupported-precision'
  | 'backend-unavailable'
  | 'inference-failed';

export type InputErrorKind =
  | 'invalid-volume'
  | 'invalid-image'
  | 'invalid-prompt'
  | 'invalid-options'
  | 'invalid-file'
  | 'unknown-object'
  | 'nothing-to-undo';

export class EngineError extends Error {
  constructor(
    readonly kind: ModelErrorKind | InputErrorKind | 'cancelled',
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The model folder, its manifest or its graphs are unusable. */
export class ModelError extends EngineError {
  constructor(kind: ModelErrorKind, message: string) {
    super(kind, message);
  }
}

/** The caller passed something the engine cannot use (volume, image, prompt, option). */
export class InputError extends EngineError {
  constructor(kind: InputErrorKind, message: string) {
    super(kind, message);
  }
}

/** The operation was cancelled through its AbortSignal; work already streamed out stays valid. */
export class CancelledError extends EngineError {
  constructor(message = 'cancelled') {
    super('cancelled', message);
  }
}

/** The message of anything thrown (an Error's message, otherwise its text). */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
