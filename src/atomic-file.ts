/**
 * Replacing a small file (index.json, images.json) so that a reader, or the
 * next start after a crash, sees either the old content or the new one,
 * never a half-written file.
 *
 * ```
 * <dir>/.<name>.<random>.tmp   1. write the new content here, then fsync it
 * <dir>/<name>                 2. rename(2) the temp file over it: atomic within one file system
 * <dir>/                       3. fsync the directory, so the rename itself survives a power cut
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { NotImplementedError } from './errors.js';

/**
 * Writes `data` to `file` atomically (temp file in the same directory, fsync,
 * rename, fsync of the directory). The directory must exist. On failure the
 * temp file is removed and `file` keeps its old content.
 * @throws the file system's error (ENOENT for a missing directory, EACCES …).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  // TODO(lesson-05): Write a temp file beside `file`, fsync it, rename it over `file`, then syncDirectory.
  // HINT: fs.open(tmp, 'wx', mode) gives a FileHandle with writeFile, sync and close; randomBytes names the temp file.
  // HINT: On any failure remove the temp file (fs.rm(tmp, { force: true })) and rethrow.
  void file, data, mode;
  throw new NotImplementedError('lesson-05: writeFileAtomic');
}

/** fsyncs a directory; file systems that cannot (EINVAL, EISDIR) are skipped. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF') throw err;
  } finally {
    await handle.close();
  }
}
