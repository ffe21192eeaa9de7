/**
 * The two DICOM validators, run for real: dciodvfy (Debian dicom3tools) and PixelMed's
 * DicomInstanceValidator (Debian pixelmed-apps). A missing tool is a loud failure.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface ValidatorReport {
  readonly errors: string[];
  readonly warnings: string[];
  /** Everything the tool printed (stdout + stderr). */
  readonly output: string;
}

function classify(output: string, errorPrefix: RegExp, warningPrefix: RegExp): ValidatorReport {
  const lines = output.split(/\r?\n/).filter((l) => l.trim());
  return {
    errors: lines.filter((l) => errorPrefix.test(l)),
    warnings: lines.filter((l) => warningPrefix.test(l)),
    output,
  };
}

export function dciodvfy(file: string): ValidatorReport {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy (Debian dicom3tools) could not run: ${r.error.message}`);
  return classify(`${r.stdout}${r.stderr}`, /^Error/, /^Warning/);
}

const PIXELMED_JAR = '/usr/share/java/pixelmed.jar';

export function pixelmedValidate(file: string): ValidatorReport {
  if (!fs.existsSync(PIXELMED_JAR)) throw new Error(`${PIXELMED_JAR} missing: install Debian pixelmed-apps`);
  const r = spawnSync(
    'java',
    [
      '-Djdk.xml.xpathExprOpLimit=0',
      '-Djdk.xml.xpathExprGrpLimit=0',
      '-Djdk.xml.xpathTotalOpLimit=0',
      '-cp',
      PIXELMED_JAR,
      'com.pixelmed.validate.DicomInstanceValidator',
      file,
    ],
    { encoding: 'utf8' },
  );
  if (r.error) throw new Error(`java (for PixelMed's validator) could not run: ${r.error.message}`);
  const output = `${r.stdout}${r.stderr}`;
  // It exits 0 even on errors, so the output decides; it must at least have recognised the IOD.
  if (!/IOD validation complete/.test(output)) {
    throw new Error(`PixelMed's validator did not complete:\n${output}`);
  }
  return classify(output, /^Error/, /^Warning/);
}
