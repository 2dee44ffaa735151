/**
 * Paths inside a rootfs, resolved the way a process chrooted into it would
 * see them. A layer is untrusted input: every name it carries, and every
 * symlink an earlier entry planted, is interpreted relative to the rootfs
 * and never allowed to lead outside it.
 */
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { NotImplementedError } from '../errors.js';
import { LayerEscapeError } from './layer-errors.js';
import type { LayerEscapeKind } from './layer-errors.js';

/** Linux gives up after 40 symlinks in one lookup (ELOOP); so do we. */
export const MAX_SYMLINKS = 40;

/**
 * Normalises a tar entry name to a clean relative path: `./etc//passwd/` → `etc/passwd`,
 * `./` → `.` (the rootfs itself). `a/../b` is cleaned lexically to `b`.
 * @throws LayerEscapeError `absolute` for a name starting with `/`, `dotdot` for one
 *   whose `..` components climb above the rootfs.
 */
export function cleanEntryName(name: string): string {
  // TODO(lesson-06): Refuse absolute names and names that climb out with ".."; return the clean relative path.
  // HINT: path.posix.normalize('./a//b/../c/') is 'c/': strip the trailing "/", and '' or './' is '.'.
  // HINT: After normalising, only a name that is '..' or starts with '../' climbs above the rootfs.
  void name;
  throw new NotImplementedError('lesson-06: cleanEntryName');
}

/** How {@link resolveInRoot} treats the last component and names an escape. */
export interface ResolveOptions {
  /** Follow a symlink in the last component too (default false: it is the entry itself). */
  followFinal?: boolean;
  /** The kind an escape through a symlink is reported as (default `symlink`). */
  kind?: LayerEscapeKind;
  /** The entry name reported in the error (default: `name`). */
  entry?: string;
}

/**
 * Resolves a clean relative `name` (see {@link cleanEntryName}) inside `root`, as if
 * `root` were `/`: each existing component is checked with lstat, a symlink's target is
 * followed from its own directory, an absolute target from `root`. Missing components
 * are kept as they are (the caller creates them). The result has no symlink in any
 * existing component except, unless `followFinal`, the last one.
 * @param root an absolute path without symlinks (`fs.realpath` of the rootfs)
 * @throws LayerEscapeError (`options.kind`) when a symlink's target climbs above `root`,
 *   or after {@link MAX_SYMLINKS} symlinks.
 */
export async function resolveInRoot(root: string, name: string, options: ResolveOptions = {}): Promise<string> {
  // TODO(lesson-06): Walk the components with lstat, following symlinks as if root were "/", and refuse a climb above root.
  // HINT: Keep a stack of resolved components and a queue of pending ones; a symlink's target goes to the front
  // HINT: of the queue (an absolute target empties the stack first); '..' pops the stack, and popping an empty
  // HINT: stack is the escape. Do not lstat the last component unless followFinal, nor anything below a missing one.
  void root, name, options;
  throw new NotImplementedError('lesson-06: resolveInRoot');
}

/** lstat, or undefined when nothing is there. */
export async function lstatOrUndefined(target: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Removes a file, symlink (never what it points to) or whole directory tree; a missing
 * path is fine, also one below a file. Read-only directories are made writable first, so
 * that an unprivileged unpacker can remove what it unpacked.
 */
export async function removeAll(target: string): Promise<void> {
  try {
    await fs.rm(target, { recursive: true, force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return;
    if (code !== 'EACCES' && code !== 'EPERM') throw err;
    await makeWritable(target);
    await fs.rm(target, { recursive: true, force: true });
  }
}

async function makeWritable(target: string): Promise<void> {
  const stats = await lstatOrUndefined(target);
  if (stats === undefined || !stats.isDirectory()) return;
  await fs.chmod(target, (stats.mode & 0o7777) | 0o700);
  for (const name of await fs.readdir(target)) await makeWritable(path.join(target, name));
}

function components(p: string): string[] {
  return p.split('/').filter((part) => part !== '');
}
