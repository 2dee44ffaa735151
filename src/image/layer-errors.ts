/**
 * Provided: the errors lesson 06 throws.
 *
 * The errors of unpacking layers. A hostile or broken layer never gets to
 * write outside the rootfs: it fails with one of these instead.
 */
import { DigestMismatchError } from './errors.js';
import type { Digest } from './digest.js';

/**
 * How a layer entry tried to reach outside the rootfs:
 * - `dotdot`: a name whose `..` components climb above the rootfs (`../../etc/cron.d/x`)
 * - `absolute`: a name starting with `/` (`/etc/passwd`)
 * - `symlink`: a path that goes through a symlink whose target climbs above the rootfs
 *   (`evil -> ../../../../tmp`, then `evil/x`)
 * - `hardlink`: a hardlink whose target is outside the rootfs (`../../etc/shadow`,
 *   `/etc/shadow`, or a path through an escaping symlink)
 * - `device`: a device node (character or block) where the unpacker may not create one
 */
export type LayerEscapeKind = 'dotdot' | 'absolute' | 'symlink' | 'hardlink' | 'device';

/** A layer entry refused because it would reach outside the rootfs. Nothing was written for it. */
export class LayerEscapeError extends Error {
  constructor(
    readonly kind: LayerEscapeKind,
    /** The entry's name as the tar archive spells it. */
    readonly entry: string,
    reason: string,
  ) {
    super(`layer entry "${entry}" refused (${kind}): ${reason}`);
    this.name = 'LayerEscapeError';
  }
}

/**
 * A layer whose uncompressed content does not have the DiffID the image config
 * lists for it in `rootfs.diff_ids`. `index` is the layer's position (0 = base).
 */
export class DiffIDMismatchError extends DigestMismatchError {
  constructor(
    readonly index: number,
    expected: Digest,
    actual: Digest,
  ) {
    super(expected, actual);
    this.message = `layer ${index}: DiffID mismatch: the image config lists ${expected}, the uncompressed layer is ${actual}`;
    this.name = 'DiffIDMismatchError';
  }
}
