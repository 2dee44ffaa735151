/**
 * Whiteouts: how a layer deletes what lower layers put in the rootfs (OCI image
 * spec, layer.md). A tar cannot say "this file is gone", so a layer carries an
 * empty marker file instead:
 *
 * ```
 * etc/.wh.motd        remove etc/motd (a file, a symlink, or a whole directory)
 * usr/.wh..wh..opq    opaque: remove everything lower layers put under usr/
 * ```
 * Markers act on lower layers only, whatever their place in the archive, and are
 * never written to disk themselves.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { lstatOrUndefined, removeAll, resolveInRoot } from './safe-path.js';

/** The prefix of a whiteout's base name: `.wh.<name>` removes `<name>`. */
export const WHITEOUT_PREFIX = '.wh.';
/** The base name of an opaque marker. */
export const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * What the layer being applied has written so far, as its whiteouts need to know it.
 * Paths are relative to the rootfs, without symlinks (`etc/ssl`; the rootfs itself is `.`).
 */
export interface LayerWrites {
  /** Whether this layer created the directory `rel`: nothing a lower layer put there can be in it. */
  created(rel: string): boolean;
  /** Whether this layer wrote `rel`, or something below it. */
  wrote(rel: string): boolean;
  /** Tells the layer that `rel` was removed from the rootfs, with everything below it. */
  removed(rel: string): void;
}

/** Whether a base name is a whiteout marker of either kind. */
export function isWhiteout(base: string): boolean {
  return base.startsWith(WHITEOUT_PREFIX);
}

/**
 * Applies the whiteout `name` (a clean relative path whose base name starts with `.wh.`).
 * The directory holding the marker is resolved inside the rootfs; the victim itself is
 * never followed, so removing a symlink removes the link, not its target. Other
 * `.wh..wh.` names (aufs bookkeeping) are ignored.
 * @param own what this layer has written so far: it stays
 * @throws LayerEscapeError `symlink` when the marker's directory resolves outside the rootfs
 * @throws Error for `.wh.`, `.wh..` or `.wh...`, which would name the directory itself or its parent
 */
export async function applyWhiteout(root: string, entry: string, name: string, own: LayerWrites): Promise<void> {
  const dir = relativeTo(root, await resolveInRoot(root, path.posix.dirname(name), { followFinal: true, entry }));
  const base = path.posix.basename(name);
  const victim = base.slice(WHITEOUT_PREFIX.length);
  if (base !== OPAQUE_MARKER && victim.startsWith(WHITEOUT_PREFIX)) return;
  if (victim === '' || victim === '.' || victim === '..') throw new Error(`layer entry "${entry}" is not a valid whiteout`);
  // A directory this layer created holds nothing of the lower layers.
  if (own.created(dir)) return;
  if (base === OPAQUE_MARKER) return hideLower(root, dir, own);
  const target = join(dir, victim);
  // What this layer wrote can only be hidden by a later layer.
  if (own.wrote(target)) return;
  await removeAll(path.join(root, target));
  own.removed(target);
}

/** Removes everything under the directory `dir` (relative to `root`) that this layer did not write, at any depth. */
async function hideLower(root: string, dir: string, own: LayerWrites): Promise<void> {
  const stats = await lstatOrUndefined(path.join(root, dir));
  if (stats === undefined || !stats.isDirectory()) return;
  for (const name of await fs.readdir(path.join(root, dir))) {
    const child = join(dir, name);
    if (own.created(child)) continue;
    if (!own.wrote(child)) {
      await removeAll(path.join(root, child));
      own.removed(child);
    } else if ((await fs.lstat(path.join(root, child))).isDirectory()) await hideLower(root, child, own);
  }
}

/** `target` (inside `root`) relative to it: `.` for the root itself. */
function relativeTo(root: string, target: string): string {
  return path.relative(root, target) || '.';
}

function join(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}
