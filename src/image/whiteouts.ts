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
import { NotImplementedError } from '../errors.js';
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
  // TODO(lesson-06): Resolve the marker's directory inside the rootfs and remove what the marker hides there.
  // HINT: .wh.<name> hides <name>; .wh..wh..opq hides everything under the directory (hideLower()).
  // HINT: relativeTo(root, await resolveInRoot(root, path.posix.dirname(name), { followFinal: true, entry })) gives it.
  // HINT: Refuse .wh. with an empty, '.' or '..' victim; ignore other .wh..wh. names (aufs bookkeeping).
  // HINT: Nothing to do in a directory own.created(); skip what own.wrote(); removeAll() the rest (a symlink itself,
  // HINT: never its target) and tell own.removed().
  void root, entry, name, own;
  throw new NotImplementedError('lesson-06: applyWhiteout');
}

/** Removes everything under the directory `dir` (relative to `root`) that this layer did not write, at any depth. */
async function hideLower(root: string, dir: string, own: LayerWrites): Promise<void> {
  // TODO(lesson-06): Remove each child that this layer did not write; walk into the directories it wrote into.
  // HINT: Skip children own.created(); removeAll() (and own.removed()) those not own.wrote(); recurse into the others
  // HINT: that are directories.
  void root, dir, own;
  throw new NotImplementedError('lesson-06: hideLower');
}

/** `target` (inside `root`) relative to it: `.` for the root itself. */
function relativeTo(root: string, target: string): string {
  return path.relative(root, target) || '.';
}

function join(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}
