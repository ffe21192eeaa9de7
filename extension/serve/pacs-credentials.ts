/**
 * Where `npm start --pacs` gets the PACS's Basic auth: the MEDSAM2_PACS_CREDENTIALS environment
 * variable or a file named with --pacs-credentials, each holding `user:password`. Never argv: a
 * password in the command line is visible to every user in the process list, so a PACS URL that
 * carries `user:pass@` is refused with a message saying where to put it.
 */
import { readFileSync, statSync } from 'node:fs';

export interface PacsCredentials {
  readonly username: string;
  readonly password: string;
}

export const CREDENTIALS_ENV = 'MEDSAM2_PACS_CREDENTIALS';

/** The PACS URL, refused when it carries credentials (they belong in the variable or a file). */
export function pacsUrlWithoutCredentials(value: string, source: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${source} is not a URL (a DICOMweb root such as http://127.0.0.1:8042/dicom-web)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${source} must be an http: or https: DICOMweb root, not ${url.protocol}`);
  if (url.username || url.password)
    throw new Error(
      `${source} carries credentials, which the process list would show to every user: ` +
        `put user:password in the ${CREDENTIALS_ENV} environment variable or in a file given with --pacs-credentials <file>, ` +
        `and give the URL without them`,
    );
  return url;
}

function parse(text: string, source: string): PacsCredentials {
  const line = text.replace(/\r?\n$/, '');
  const colon = line.indexOf(':');
  if (colon <= 0 || line.includes('\n'))
    throw new Error(`${source} must hold one line user:password (nothing of it is shown here)`);
  return { username: line.slice(0, colon), password: line.slice(colon + 1) };
}

/**
 * The credentials from `file` (when given) or the environment, or undefined. `warn` hears about a
 * credentials file other users can read.
 */
export function readPacsCredentials(
  env: NodeJS.ProcessEnv,
  file: string | undefined,
  warn: (message: string) => void,
): PacsCredentials | undefined {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new Error(`--pacs-credentials ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
    if ((statSync(file).mode & 0o077) !== 0)
      warn(`--pacs-credentials ${file} can be read by other users (chmod 600 it)`);
    return parse(text, `--pacs-credentials ${file}`);
  }
  const value = env[CREDENTIALS_ENV];
  return value ? parse(value, CREDENTIALS_ENV) : undefined;
}
