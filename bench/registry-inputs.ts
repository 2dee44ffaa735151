/**
 * The registry section's images: OCI layouts (tag {@link BENCH_TAG}) that
 * skopeo pushes. The layered ones are the unpack section's input sets; the
 * big one for the memory case is a single layer of incompressible files, so
 * its gzip is as big as its content ("a 1 GB push" moves 1 GB).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { cacheName, writeLayer } from './inputs.js';
import type { LayerInfo } from './inputs.js';
import type { Log } from './input-sets.js';
import { layerSeriesSet, singleLayerSet } from './input-sets.js';
import { writeBenchLayout } from './layout.js';
import type { PlanEntry } from './plans.js';

/** An image ready to push. */
export interface PushImage {
  /** The row label, e.g. `1 × 100 MB layer`. */
  name: string;
  /** The OCI layout holding it under {@link BENCH_TAG}. */
  layoutDir: string;
  layers: LayerInfo[];
  /** Compressed bytes of all layers: what MB/s is measured in. */
  bytes: number;
}

const SEED = 'dockerlings-bench';
const FILE_BYTES = 4 << 20;
const mb = (bytes: number): string => (bytes >= 1e9 ? `${bytes / 1e9} GB` : `${Math.round(bytes / 1e6)} MB`);

function image(name: string, layoutDir: string, layers: LayerInfo[]): PushImage {
  return { name, layoutDir, layers, bytes: layers.reduce((sum, l) => sum + l.size, 0) };
}

/** One layer, in a layout, of files of 4 MiB of random bytes adding up to about `bytes`. */
async function randomLayerImage(cacheRoot: string, bytes: number, log: Log): Promise<PushImage> {
  const label = bytes >= 1e6 ? `${Math.round(bytes / 1e6)}mb` : `${Math.round(bytes / 1e3)}kb`;
  const dir = path.join(cacheRoot, cacheName(`random-${label}`, { bytes, file: FILE_BYTES }));
  const marker = path.join(dir, 'input.json');
  let layers = await fs.readFile(marker, 'utf8').then((t) => JSON.parse(t) as LayerInfo[], () => undefined);
  if (!layers) {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    log(`making random-${label}: one layer of incompressible files …`);
    const plan: PlanEntry[] = [{ type: 'directory', name: 'data', mode: 0o755 }];
    for (let i = 0; i * FILE_BYTES < bytes; i++) {
      const name = `data/r${String(i).padStart(5, '0')}.bin`;
      plan.push({ type: 'file', name, mode: 0o644, size: Math.min(FILE_BYTES, bytes - i * FILE_BYTES), content: 'random', seed: `${SEED}:random:${name}` });
    }
    const file = path.join(dir, 'layer-0.tar.gz');
    const info = await writeLayer(plan, file);
    await writeBenchLayout(path.join(dir, 'layout'), [{ file, info }]);
    layers = [info];
    await fs.writeFile(marker, JSON.stringify(layers, null, 2));
  }
  return image(`1 × ${mb(bytes)} layer`, path.join(dir, 'layout'), layers);
}

/** Sizes of the registry section's images (uncompressed content; the random one's gzip is as big). */
export interface RegistrySizes {
  small: number;
  big: number;
  seriesCount: number;
  seriesBytes: number;
  rss: number;
}

/** The images of the registry section. */
export interface RegistryImages {
  /** Pushed and pulled, timed: small, big, series. */
  throughput: PushImage[];
  /** Pushed once while the registry's memory is watched. */
  rss: PushImage;
  /** A small image of its own, pushed untimed into every fresh registry first. */
  warmUp: PushImage;
}

/** The warm-up image's size: big enough to run every upload path once. */
const WARM_UP_BYTES = 100e3;

/** The throughput images (small, big, series) and the memory case's image, made once and cached. */
export async function registryImages(cacheRoot: string, sizes: RegistrySizes, log: Log): Promise<RegistryImages> {
  const throughput: PushImage[] = [];
  for (const bytes of [sizes.small, sizes.big]) {
    const set = await singleLayerSet(cacheRoot, bytes, true, log);
    throughput.push(image(`1 × ${mb(bytes)} layer`, set.layoutDir!, set.layers));
  }
  const series = await layerSeriesSet(cacheRoot, sizes.seriesCount, sizes.seriesBytes, log);
  throughput.push(image(`${sizes.seriesCount} × ${mb(sizes.seriesBytes)} layers`, series.layoutDir!, series.layers));
  return { throughput, rss: await randomLayerImage(cacheRoot, sizes.rss, log), warmUp: await randomLayerImage(cacheRoot, WARM_UP_BYTES, log) };
}
