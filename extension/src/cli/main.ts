/**
 * `medsam2` command line: a thin shell over the engine and the DICOM layer.
 * Exit codes: 0 ok, 1 internal error, 2 usage error, 3 bad input (volume, series, prompt, file),
 * 4 model error (missing/corrupt model, no backend), 5 store to the PACS failed, timed out or was not
 * confirmed (the SEG is kept),
 * 130 cancelled (SIGINT).
 */
import { DicomError, DicomWebError } from '../dicom';
import { EngineError, ModelError } from '../engine/errors';
import { UsageError } from './args';
import { CONVERT_USAGE, runConvert } from './convert';
import { EVAL_USAGE, runEval } from './eval';
import { ONE_PROMPT_USAGE, runOnePrompt } from './one-prompt';
import { PROPAGATE_USAGE, runPropagate } from './propagate';
import { SEGMENT_USAGE, StoreError, runSegment } from './segment';

export const EXIT = { ok: 0, internal: 1, usage: 2, input: 3, model: 4, store: 5, cancelled: 130 } as const;

const USAGE = `usage: medsam2 <command> [flags]

commands:
${PROPAGATE_USAGE}
${SEGMENT_USAGE}
${ONE_PROMPT_USAGE}
${EVAL_USAGE}
${CONVERT_USAGE}
`;

const COMMANDS: Record<string, (argv: readonly string[], log: (line: string) => void) => Promise<unknown>> = {
  propagate: runPropagate,
  segment: runSegment,
  'one-prompt': runOnePrompt,
  eval: runEval,
  convert: runConvert,
};

const COMMAND_USAGE: Record<string, string> = {
  propagate: PROPAGATE_USAGE,
  segment: SEGMENT_USAGE,
  'one-prompt': ONE_PROMPT_USAGE,
  eval: EVAL_USAGE,
  convert: CONVERT_USAGE,
};

export async function main(
  argv: readonly string[],
  log: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      log(USAGE);
      return command ? EXIT.ok : EXIT.usage;
    }
    const run = COMMANDS[command];
    if (!run) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    // `medsam2 <command> --help` (or -h) prints that command's flags and does nothing else.
    if (rest.includes('--help') || rest.includes('-h')) {
      log(`usage: medsam2 ${command} [flags]\n\n${COMMAND_USAGE[command]}\n`);
      return EXIT.ok;
    }
    await run(rest, log);
    return EXIT.ok;
  } catch (error) {
    return report(error, log);
  }
}

function report(error: unknown, log: (line: string) => void): number {
  if (error instanceof UsageError) {
    log(`medsam2: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (error instanceof StoreError) {
    log(`medsam2: ${error.message}\nmedsam2: the SEG is kept at ${error.kept}`);
    return EXIT.store;
  }
  if (error instanceof EngineError && error.kind === 'cancelled') {
    log(`medsam2: ${error.message}`);
    return EXIT.cancelled;
  }
  if (error instanceof ModelError) {
    log(`medsam2: model error (${error.kind}): ${error.message}`);
    return EXIT.model;
  }
  if (error instanceof EngineError || error instanceof DicomError) {
    log(`medsam2: ${error.kind}: ${error.message}`);
    return EXIT.input;
  }
  if (error instanceof DicomWebError) {
    log(`medsam2: ${error.kind}: ${error.message}`);
    return EXIT.store;
  }
  log(`medsam2: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT.internal;
}
