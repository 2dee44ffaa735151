/**
 * The benchmark's input sets, made once and then found in the cache: a
 * single big layer, and a series of small layers forming one image.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { cacheName, writeLayer } from './inputs.js';
import type { LayerInfo } from './inputs.js';
import { writeBenchLayout } from './layout.js';
import { expectedTree, layerSeriesPlan, singleLayerPlan } from './plans.js';
import type { ExpectedTree, PlanEntry } from './plans.js';

/** A ready input set. */
export interface InputSet {
  /** Where the set lives in the cache. */
  dir: string;
  /** The layer files to unpack, bottom first. */
  files: string[];
  layers: LayerInfo[];
  /** The OCI layout holding the layers as one image, when the set has one. */
  layoutDir?: string;
  /** Uncompressed bytes of all layers together: what MB/s is measured in. */
  tarBytes: number;
  /** The rootfs all layers unpack to. */
  expected: ExpectedTree;
}

interface Stored {
  layers: LayerInfo[];
  files: string[];
  layout: boolean;
}

/** Progress lines while a set is made (it can take a minute). */
export type Log = (line: string) => void;

const SEED = 'dockerlings-bench';

async function ensure(cacheRoot: string, name: string, params: unknown, plans: PlanEntry[][], layout: boolean, log: Log): Promise<Omit<InputSet, 'expected'>> {
  const dir = path.join(cacheRoot, cacheName(name, params));
  const marker = path.join(dir, 'input.json');
  let stored = await fs.readFile(marker, 'utf8').then((t) => JSON.parse(t) as Stored, () => undefined);
  if (!stored) {
    // A half-made set (interrupted run) is thrown away and made again.
    await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    const made: { file: string; info: LayerInfo }[] = [];
    for (const [i, plan] of plans.entries()) {
      if (plans.length === 1 || i % 10 === 0) log(`making ${name}: layer ${i + 1} of ${plans.length} …`);
      const file = path.join(dir, `layer-${i}.tar.gz`);
      made.push({ file, info: await writeLayer(plan, file) });
    }
    const files = layout ? await writeBenchLayout(path.join(dir, 'layout'), made) : made.map((m) => m.file);
    stored = { layers: made.map((m) => m.info), files: files.map((f) => path.relative(dir, f)), layout };
    await fs.writeFile(marker, JSON.stringify(stored, null, 2));
  }
  return {
    dir,
    files: stored.files.map((f) => path.join(dir, f)),
    layers: stored.layers,
    layoutDir: stored.layout ? path.join(dir, 'layout') : undefined,
    tarBytes: stored.layers.reduce((sum, l) => sum + l.tarSize, 0),
  };
}

/** One tar+gzip layer with about `bytes` of file content (see singleLayerPlan); `layout` adds an OCI layout for umoci. */
export async function singleLayerSet(cacheRoot: string, bytes: number, layout: boolean, log: Log): Promise<InputSet> {
  const plan = singleLayerPlan(SEED, bytes);
  const set = await ensure(cacheRoot, `single-${Math.round(bytes / 1e6)}mb`, { bytes, layout }, [plan], layout, log);
  return { ...set, expected: expectedTree(plan) };
}

/** `count` layers of about `bytesPerLayer` each with whiteouts (see layerSeriesPlan), in an OCI layout. */
export async function layerSeriesSet(cacheRoot: string, count: number, bytesPerLayer: number, log: Log): Promise<InputSet> {
  const { layers, expected } = layerSeriesPlan(SEED, count, bytesPerLayer);
  const set = await ensure(cacheRoot, `series-${count}x${Math.round(bytesPerLayer / 1e6)}mb`, { count, bytesPerLayer }, layers, true, log);
  return { ...set, expected };
}
