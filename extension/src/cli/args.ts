/** A small, strict flag parser: unknown flags and missing values are usage errors, not guesses. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FlagSpec {
  readonly [flag: string]: 'string' | 'boolean';
}

export function parseFlags(argv: readonly string[], spec: FlagSpec): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = spec[name];
    if (!kind)
      throw new UsageError(
        `unknown flag --${name} (known: ${Object.keys(spec)
          .map((f) => `--${f}`)
          .join(', ')})`,
      );
    if (kind === 'boolean') {
      out.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`--${name} needs a value`);
    out.set(name, value);
  }
  return out;
}

export function requireFlag(flags: Map<string, string | true>, name: string): string {
  const v = flags.get(name);
  if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
  return v;
}

export function intFlag(flags: Map<string, string | true>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n))
    throw new UsageError(`--${name} must be an integer, got ${String(v)}`);
  return n;
}

export function numberFlag(flags: Map<string, string | true>, name: string, fallback: number): number {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got ${String(v)}`);
  return n;
}

export function choiceFlag<T extends string>(
  flags: Map<string, string | true>,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = flags.get(name);
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !choices.includes(v as T))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${String(v)}`);
  return v as T;
}
