/**
 * Paths inside a rootfs, resolved the way a process chrooted into it would
 * see them. A layer is untrusted input: every name it carries, and every
 * symlink an earlier entry planted, is interpreted relative to the rootfs
 * and never allowed to lead outside it.
 */
import fs from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
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
  if (name.startsWith('/')) throw new LayerEscapeError('absolute', name, 'layer entries are relative to the rootfs');
  const clean = path.posix.normalize(name).replace(/\/+$/, '');
  if (clean === '..' || clean.startsWith('../')) {
    throw new LayerEscapeError('dotdot', name, 'its ".." components climb above the rootfs');
  }
  return clean === '' ? '.' : clean;
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
  const { followFinal = false, kind = 'symlink', entry = name } = options;
  const parts: string[] = [];
  let pending = components(name);
  let links = 0;
  // Index in `parts` of the first component that does not exist: nothing below it can be a symlink.
  let missingAt = Infinity;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      // Only a symlink target can bring a ".." here: the entry name was cleaned already.
      if (parts.length === 0) throw new LayerEscapeError(kind, entry, 'it goes through a symlink that points above the rootfs');
      parts.pop();
      if (parts.length <= missingAt) missingAt = Infinity;
      continue;
    }
    const isFinal = pending.length === 0;
    if (parts.length >= missingAt || (isFinal && !followFinal)) {
      parts.push(part);
      continue;
    }
    const here = path.join(root, ...parts, part);
    const stats = await lstatOrUndefined(here);
    if (stats === undefined) missingAt = parts.length;
    if (stats === undefined || !stats.isSymbolicLink()) {
      parts.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new LayerEscapeError(kind, entry, 'too many levels of symbolic links');
    const target = await fs.readlink(here);
    // Inside the rootfs "/" is the rootfs: an absolute target starts again from it.
    if (target.startsWith('/')) parts.length = 0;
    pending = [...components(target), ...pending];
  }
  return path.join(root, ...parts);
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
