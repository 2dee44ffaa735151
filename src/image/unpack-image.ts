/**
 * An image's layers unpacked, in order, into a new rootfs directory, each
 * layer's DiffID checked against the image config while it streams.
 *
 * ```
 * <parent>/
 * ├── .<name>.unpack-<random>/   the rootfs being built: invisible under its final name
 * └── <name>/                    renamed into place only once every layer applied and matched
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { NotImplementedError } from '../errors.js';
import { applyLayer } from './apply-layer.js';
import type { ApplyOptions } from './apply-layer.js';
import type { Digest } from './digest.js';
import { DiffIDMismatchError } from './layer-errors.js';
import { removeAll } from './safe-path.js';

/**
 * One layer to unpack: how to read its blob (opened only when its turn comes) and
 * the DiffID the image config lists for it. For an image in a blob store:
 * `manifest.layers.map((d, i) => ({ open: () => store.get(d.digest), diffID: config.rootfs.diff_ids[i] }))`.
 */
export interface LayerSource {
  /** Opens the layer blob (tar or tar+gzip). */
  open(): Promise<Readable | AsyncIterable<Uint8Array>>;
  /** The expected DiffID; undefined: not checked. */
  diffID?: Digest;
}

/**
 * Unpacks layers, base first, into `rootfs`, which must not exist yet. The layers are
 * applied in a temporary sibling directory that is renamed to `rootfs` only when all of
 * them succeeded, so a failed unpack leaves nothing behind under either name.
 * @returns the DiffID of every layer, in order
 * @throws DiffIDMismatchError (index, expected, actual) when a layer's uncompressed
 *   content differs from its listed DiffID
 * @throws LayerEscapeError for a hostile entry (see {@link applyLayer})
 * @throws Error when `rootfs` already exists
 */
export async function unpackImage(rootfs: string, layers: readonly LayerSource[], options: ApplyOptions = {}): Promise<Digest[]> {
  // TODO(lesson-06): Apply the layers in order into a temporary sibling, check each DiffID, then rename it into place.
  // HINT: Refuse an existing rootfs. Name the sibling `.<name>.unpack-<random>` in the same parent (rename stays atomic).
  // HINT: A DiffID that differs from layer.diffID: throw new DiffIDMismatchError(index, layer.diffID, diffID).
  // HINT: On any failure, removeAll() the temporary directory before rethrowing.
  void rootfs, layers, options;
  throw new NotImplementedError('lesson-06: unpackImage');
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
