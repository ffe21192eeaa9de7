/**
 * `medsam2` command line: a thin shell over the engine. Commands: propagate (NIfTI in, mask out).
 * Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input (volume, prompt, file),
 * 4 model error (missing/corrupt model, no backend), 130 cancelled (SIGINT).
 */
import { EngineError, ModelError } from '../engine/errors';
import { UsageError } from './args';
import { runPropagate, PROPAGATE_USAGE } from './propagate';

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, model: 4, cancelled: 130 } as const;

const USAGE = `usage: medsam2 <command> [flags]

commands:
${PROPAGATE_USAGE}
`;

export async function main(
  argv: readonly string[],
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'propagate':
        await runPropagate(rest, log);
        return EXIT.ok;
      case undefined:
      case '--help':
      case 'help':
        log(USAGE);
        return command ? EXIT.ok : EXIT.usage;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      log(`medsam2: ${error.message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof EngineError && error.kind === 'cancelled') {
      log(`medsam2: ${error.message}`);
      return EXIT.cancelled;
    }
    if (error instanceof ModelError) {
      log(`medsam2: model error (${error.kind}): ${error.message}`);
      return EXIT.model;
    }
    if (error instanceof EngineError) {
      log(`medsam2: ${error.kind}: ${error.message}`);
      return EXIT.input;
    }
    log(
      `medsam2: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT.internal;
  }
}
