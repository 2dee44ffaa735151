/**
 * The registry section: `skopeo copy` pushes and pulls of the same OCI images
 * to the selected tree's `minidocker-registry` and to Debian's
 * `docker-registry` (distribution 2.8), one after the other on this machine,
 * and the registry's RSS growth while a big layer is pushed.
 *
 * - push: every run goes to a fresh registry (new empty root, new port), so
 *   every blob is really uploaded; starting the registry, and a warm-up push
 *   of a small image of its own into it, are not timed.
 * - pull: the image is pushed once (untimed) into a fresh registry, then
 *   pulled `runs` times, each into a fresh OCI layout; the first pull's layer
 *   digests are checked against the image's.
 * MB/s counts the compressed layer bytes moved; skopeo's own start-up and its
 * TLS probe (it tries https first) are inside every timing, for both registries.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { flushWrites, median, warmUp } from './measure.js';
import type { MeasuredRow } from './cases.js';
import type { PushImage, RegistryImages } from './registry-inputs.js';
import { BENCH_TAG } from './layout.js';
import { sampleRss, startDistribution, startMiniRegistry } from './registries.js';
import type { RunningRegistry } from './registries.js';
import { run } from './tools.js';
import type { Tool } from './tools.js';

/** The registry section's goals: at least distribution's MB/s in every row, RSS growth under 50 MB. */
export const REGISTRY_GOALS = { distribution: 1, rssMB: 50 } as const;

/** What the section needs. */
export interface RegistryContext {
  skopeo: Tool;
  distribution: Tool;
  /** The row label of the implementation, e.g. `minidocker-registry (reference)`. */
  implLabel: string;
  workDir: string;
  runs: number;
}

/** A registry row: a measured row plus the image's compressed bytes. */
export interface RegistryRow extends MeasuredRow {
  bytes?: number;
}

type Starter = () => Promise<RunningRegistry>;
const MB = 1e6;

function skopeoCopy(skopeo: string, from: string, to: string): Promise<string> {
  const tls = to.startsWith('docker://') ? '--dest-tls-verify=false' : '--src-tls-verify=false';
  return run(skopeo, ['--insecure-policy', 'copy', '--quiet', tls, from, to]);
}

// Every registry is fresh, so one repository name serves every case.
const ref = (host: string, repository = 'bench/image'): string => `docker://${host}/${repository}:latest`;

/**
 * Starts a fresh registry with `start`, then pushes the warm-up image into it
 * (untimed, another repository, other blobs), so the timed copy finds its code
 * paths already loaded and compiled, as in a registry that has been running a while.
 */
function warmed(start: Starter, warmUp: PushImage, skopeo: string): Starter {
  return async () => {
    const registry = await start();
    try {
      await skopeoCopy(skopeo, `oci:${warmUp.layoutDir}:${BENCH_TAG}`, ref(registry.host, 'bench/warm-up'));
    } catch (err) {
      await registry.stop();
      throw err;
    }
    return registry;
  };
}

async function withRegistry<T>(start: Starter, use: (registry: RunningRegistry) => Promise<T>): Promise<T> {
  const registry = await start();
  try {
    return await use(registry);
  } finally {
    await registry.stop();
  }
}

/** The layer digests of the image tagged `latest` in a pulled layout. */
async function pulledLayers(layoutDir: string): Promise<string[]> {
  const blob = async (digest: string): Promise<unknown> =>
    JSON.parse(await fs.readFile(path.join(layoutDir, 'blobs', ...digest.split(':')), 'utf8')) as unknown;
  const index = JSON.parse(await fs.readFile(path.join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = (await blob(index.manifests[0]!.digest)) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => l.digest);
}

async function timedPushes(image: PushImage, start: Starter, ctx: RegistryContext, skopeo: string): Promise<number[]> {
  const runs: number[] = [];
  for (let i = 0; i < ctx.runs; i++) {
    await withRegistry(start, async (registry) => {
      await flushWrites();
      const t0 = process.hrtime.bigint();
      await skopeoCopy(skopeo, `oci:${image.layoutDir}:${BENCH_TAG}`, ref(registry.host));
      runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    });
  }
  return runs;
}

async function timedPulls(image: PushImage, start: Starter, ctx: RegistryContext, skopeo: string): Promise<number[]> {
  return withRegistry(start, async (registry) => {
    await skopeoCopy(skopeo, `oci:${image.layoutDir}:${BENCH_TAG}`, ref(registry.host));
    const runs: number[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      const target = await fs.mkdtemp(path.join(ctx.workDir, 'pull-'));
      await flushWrites();
      const t0 = process.hrtime.bigint();
      await skopeoCopy(skopeo, ref(registry.host), `oci:${target}:latest`);
      runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
      if (i === 0) {
        const got = await pulledLayers(target);
        if (got.join() !== image.layers.map((l) => l.digest).join()) throw new Error('the pulled image has other layers than the pushed one');
      }
      await fs.rm(target, { recursive: true, force: true });
    }
    return runs;
  });
}

async function measure(caseName: string, tool: string, image: PushImage, timed: () => Promise<number[]>): Promise<RegistryRow> {
  try {
    const runs = await timed();
    const seconds = median(runs);
    return { case: caseName, tool, seconds, mbps: image.bytes / MB / seconds, msPerLayer: (seconds * 1000) / image.layers.length, runs, bytes: image.bytes };
  } catch (err) {
    return { case: caseName, tool, note: `failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Push and pull rows of one image: the implementation (ratio 1), then distribution with its ratio and goal. */
async function throughputRows(image: PushImage, warmUp: PushImage, ctx: RegistryContext, skopeo: string, say: (line: string) => void): Promise<RegistryRow[]> {
  const mini = warmed(() => startMiniRegistry(ctx.workDir), warmUp, skopeo);
  const dist = ctx.distribution.path;
  const distLabel = `docker-registry ${ctx.distribution.version?.split(' ').at(-1) ?? ''}`.trim();
  const rows: RegistryRow[] = [];
  for (const op of ['push', 'pull'] as const) {
    const caseName = `${op} ${image.name}`;
    say(`measuring ${caseName} …`);
    const timed = (start: Starter) => () => (op === 'push' ? timedPushes : timedPulls)(image, start, ctx, skopeo);
    const impl = await measure(caseName, ctx.implLabel, image, timed(mini));
    if (impl.mbps !== undefined) impl.ratio = 1;
    rows.push(impl);
    if (!dist) {
      rows.push({ case: caseName, tool: 'docker-registry', note: ctx.distribution.missing });
      continue;
    }
    const other = await measure(caseName, distLabel, image, timed(warmed(() => startDistribution(dist), warmUp, skopeo)));
    if (other.mbps !== undefined && impl.mbps !== undefined) {
      other.ratio = impl.mbps / other.mbps;
      other.goal = { text: '≥ distribution', met: other.ratio >= REGISTRY_GOALS.distribution };
    }
    rows.push(other);
  }
  return rows;
}

/** One push of the big image into a fresh registry, sampling its RSS every 50 ms. */
async function rssRow(caseName: string, tool: string, image: PushImage, start: Starter, skopeo: string, goal: boolean): Promise<RegistryRow> {
  try {
    return await withRegistry(start, async (registry) => {
      await flushWrites();
      const t0 = process.hrtime.bigint();
      const { baseline, peak } = await sampleRss(registry.pid, async () => {
        await skopeoCopy(skopeo, `oci:${image.layoutDir}:${BENCH_TAG}`, ref(registry.host));
      });
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const growthMB = (peak - baseline) / MB;
      return {
        case: caseName,
        tool,
        seconds,
        mbps: image.bytes / MB / seconds,
        msPerLayer: seconds * 1000,
        runs: [seconds],
        bytes: image.bytes,
        rss: { baselineMB: baseline / MB, peakMB: peak / MB, growthMB },
        goal: goal
          ? { text: `RSS +${growthMB.toFixed(1)} MB < ${REGISTRY_GOALS.rssMB} MB`, met: growthMB < REGISTRY_GOALS.rssMB }
          : { text: `RSS +${growthMB.toFixed(1)} MB (for comparison)`, met: true },
      };
    });
  } catch (err) {
    return { case: caseName, tool, note: `failed: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * Runs the whole section.
 * @returns its rows; a single note row when skopeo is missing.
 */
export async function registrySection(images: RegistryImages, ctx: RegistryContext, say: (line: string) => void): Promise<RegistryRow[]> {
  const skopeo = ctx.skopeo.path;
  if (!skopeo) return [{ case: 'registry', tool: 'skopeo', note: ctx.skopeo.missing }];
  // A registry that does not start (a stub on the way) fails once, not in every row.
  try {
    await (await startMiniRegistry(ctx.workDir)).stop();
  } catch (err) {
    return [{ case: 'registry', tool: ctx.implLabel, note: `failed: ${(err as Error).message.split('\n')[0]}` }];
  }
  const rows: RegistryRow[] = [];
  for (const image of images.throughput) {
    await warmUp(await blobFiles(image));
    rows.push(...(await throughputRows(image, images.warmUp, ctx, skopeo, say)));
  }
  const caseName = `RSS, push ${images.rss.name}`;
  say(`measuring ${caseName} …`);
  await warmUp(await blobFiles(images.rss));
  rows.push(await rssRow(caseName, ctx.implLabel, images.rss, warmed(() => startMiniRegistry(ctx.workDir), images.warmUp, skopeo), skopeo, true));
  if (ctx.distribution.path) {
    const dist = ctx.distribution.path;
    const label = `docker-registry ${ctx.distribution.version?.split(' ').at(-1) ?? ''}`.trim();
    rows.push(await rssRow(caseName, label, images.rss, warmed(() => startDistribution(dist), images.warmUp, skopeo), skopeo, false));
  }
  return rows;
}

async function blobFiles(image: PushImage): Promise<string[]> {
  return image.layers.map((l) => path.join(image.layoutDir, 'blobs', ...l.digest.split(':')));
}
