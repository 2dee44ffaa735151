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

/** Whether a base name is a whiteout marker of either kind. */
export function isWhiteout(base: string): boolean {
  return base.startsWith(WHITEOUT_PREFIX);
}

/**
 * Applies the whiteout `name` (a clean relative path whose base name starts with `.wh.`).
 * The directory holding the marker is resolved inside the rootfs; the victim itself is
 * never followed, so removing a symlink removes the link, not its target. Other
 * `.wh..wh.` names (aufs bookkeeping) are ignored.
 * @param written the host paths this layer has written so far, and their ancestors: they stay
 * @throws LayerEscapeError `symlink` when the marker's directory resolves outside the rootfs
 * @throws Error for `.wh.`, `.wh..` or `.wh...`, which would name the directory itself or its parent
 */
export async function applyWhiteout(root: string, entry: string, name: string, written: ReadonlySet<string>): Promise<void> {
  const dir = await resolveInRoot(root, path.posix.dirname(name), { followFinal: true, entry });
  const base = path.posix.basename(name);
  if (base === OPAQUE_MARKER) return hideLower(dir, written);
  const victim = base.slice(WHITEOUT_PREFIX.length);
  if (victim.startsWith(WHITEOUT_PREFIX)) return;
  if (victim === '' || victim === '.' || victim === '..') throw new Error(`layer entry "${entry}" is not a valid whiteout`);
  const target = path.join(dir, victim);
  // What this layer wrote can only be hidden by a later layer.
  if (!written.has(target)) await removeAll(target);
}

/** Removes everything under `dir` that is not in `written`, at any depth. */
async function hideLower(dir: string, written: ReadonlySet<string>): Promise<void> {
  const stats = await lstatOrUndefined(dir);
  if (stats === undefined || !stats.isDirectory()) return;
  for (const name of await fs.readdir(dir)) {
    const child = path.join(dir, name);
    if (!written.has(child)) await removeAll(child);
    else if ((await fs.lstat(child)).isDirectory()) await hideLower(child, written);
  }
}
