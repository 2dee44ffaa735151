/**
 * Puts benchmark layers into an OCI image layout, so `umoci unpack` can read
 * them and every tool unpacks the very same blob files.
 *
 * Written with the reference OciLayout whatever implementation is measured:
 * the inputs must be right even while the learner's lesson 05 is unfinished.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { parseDigest } from '../solutions/image/digest.js';
import { OCI_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from '../solutions/image/media-types.js';
import { OciLayout } from '../solutions/image/oci-layout.js';
import type { Image, Manifest } from '../solutions/image/types.js';
import type { LayerInfo } from './inputs.js';
import { INPUT_MTIME } from './inputs.js';

/** The tag the benchmark image carries in its layout. */
export const BENCH_TAG = 'bench';

/** The host's architecture in OCI's words (Node says x64, OCI says amd64). */
export function ociArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return names[arch] ?? arch;
}

/**
 * Moves the layer files (tar+gzip, already digested) into a new layout at
 * `dir` as one image tagged {@link BENCH_TAG}; the files themselves are removed.
 * @returns the path of each layer's blob, bottom layer first.
 */
export async function writeBenchLayout(dir: string, layers: { file: string; info: LayerInfo }[]): Promise<string[]> {
  const layout = await OciLayout.init(dir);
  const descriptors = [];
  for (const { file, info } of layers) {
    const digest = parseDigest(info.digest);
    descriptors.push(await layout.blobs.put(createReadStream(file), { digest, size: info.size, mediaType: OCI_LAYER_TAR_GZIP }));
    await fs.rm(file);
  }
  const config: Image = {
    created: INPUT_MTIME.toISOString(),
    architecture: ociArchitecture(),
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => parseDigest(l.info.diffID)) },
    history: layers.map(() => ({ created: INPUT_MTIME.toISOString(), created_by: 'dockerlings bench' })),
  };
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: await layout.putJson(config, OCI_CONFIG),
    layers: descriptors,
  };
  await layout.tag(BENCH_TAG, await layout.putJson(manifest, OCI_MANIFEST));
  return descriptors.map((d) => layout.blobs.blobPath(d.digest));
}
