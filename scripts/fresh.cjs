// Rebuild-only-what-changed helpers for `npm start`, `npm test` and the build: a digest of the
// inputs a step read last time, a lock so two processes never build into the same folder at once,
// and a staging-folder swap that replaces only the files whose bytes changed (each by an atomic
// rename), so a server already serving the folder sees either the old file or the new one.
'use strict';
const { createHash } = require('node:crypto');
const {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

/** sha256 of a file's bytes (hex). */
function fileHash(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every file under `dir` (relative paths, '/'-separated), sorted. */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** { relative path: sha256 } for the given files under root. */
function hashes(root, files) {
  return Object.fromEntries(files.map((f) => [f, fileHash(resolve(root, f))]));
}

/** One digest over a set of input files (by content) and extra strings (versions, options). */
function inputsDigest(root, files, extra = []) {
  const h = createHash('sha256');
  for (const f of [...new Set(files)].sort()) {
    h.update(f).update('\0');
    h.update(existsSync(resolve(root, f)) ? readFileSync(resolve(root, f)) : 'missing').update('\0');
  }
  for (const x of extra) h.update(String(x)).update('\0');
  return h.digest('hex');
}

/**
 * True when the outputs were made from the inputs the stamp file recorded and nothing changed
 * since: the recorded input files still hash to the recorded digest, and every recorded output file
 * (paths relative to root) is still there with its recorded size.
 */
function isFresh(root, stampFile, extra = []) {
  const stamp = readStamp(stampFile);
  if (!stamp) return false;
  if (inputsDigest(root, stamp.inputs, extra) !== stamp.digest) return false;
  for (const [f, size] of Object.entries(stamp.outputs)) {
    const p = resolve(root, f);
    if (!existsSync(p) || statSync(p).size !== size) return false;
  }
  return Object.keys(stamp.outputs).length > 0;
}

function readStamp(stampFile) {
  try {
    const s = JSON.parse(readFileSync(stampFile, 'utf8'));
    return Array.isArray(s.inputs) && typeof s.digest === 'string' && s.outputs ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Records the inputs' digest and the files now in the output folders (relative to root). */
function writeStamp(root, stampFile, inputs, outputDirs, extra = []) {
  const outputs = {};
  for (const d of outputDirs)
    for (const f of listFiles(resolve(root, d))) outputs[`${d}/${f}`] = statSync(resolve(root, d, f)).size;
  const stamp = { digest: inputsDigest(root, inputs, extra), inputs: [...new Set(inputs)].sort(), outputs };
  writeAtomic(stampFile, JSON.stringify(stamp, null, 1) + '\n');
}

/** Writes a file through a temporary name in the same folder and a rename. */
function writeAtomic(file, data) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * Moves the files of `staging` into `target`: a file whose bytes are unchanged is left alone (its
 * mtime too, so ETags stay valid), a changed or new one is renamed over the old, and files of
 * `target` that the new build no longer has are removed. `staging` is removed afterwards.
 * Returns the relative paths that changed.
 */
function swapIn(staging, target) {
  const next = listFiles(staging);
  const changed = [];
  for (const f of next) {
    const from = join(staging, f);
    const to = join(target, f);
    if (existsSync(to) && statSync(to).size === statSync(from).size && fileHash(to) === fileHash(from))
      continue;
    mkdirSync(dirname(to), { recursive: true });
    renameSync(from, to);
    changed.push(f);
  }
  const keep = new Set(next);
  for (const f of listFiles(target)) if (!keep.has(f)) unlinkSync(join(target, f));
  rmSync(staging, { recursive: true, force: true });
  return changed;
}

/**
 * Runs `fn` holding an exclusive lock file (created with O_EXCL). A lock whose process is gone is
 * taken over; a live one is waited for (up to `timeoutMs`).
 */
async function withLock(lockFile, fn, timeoutMs = 10 * 60_000) {
  mkdirSync(dirname(lockFile), { recursive: true });
  const start = Date.now();
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(lockFile, 'utf8').trim());
      if (!alive(holder)) {
        rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() - start > timeoutMs)
        throw new Error(`${lockFile}: held by process ${holder} for over ${timeoutMs / 1000} s`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockFile, { force: true });
  }
}

function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

module.exports = {
  fileHash,
  listFiles,
  hashes,
  inputsDigest,
  isFresh,
  readStamp,
  writeStamp,
  writeAtomic,
  swapIn,
  withLock,
};
