/**
 * Provided: `minidocker top`, `pause`, `unpause` and `stats` (lesson 13's
 * endpoints), printed the way the docker CLI prints them.
 *
 * ```
 * top web [-o pid,comm] → containerTop:  GET /containers/web/top[?ps_args=…] → ps's columns (tabwriter, min width 20)
 * pause web db          → containerPause: POST /containers/web/pause …       → prints "web", "db"
 * unpause web           → containerUnpause                                    → prints "web"
 * stats [--no-stream] [-a] [web…]
 *                       → (no names: containerList, running ones, or all with -a)
 *                       → containerStats (one sample, precpu filled) or containerStatsStream, per container
 *                       → CONTAINER ID  NAME  CPU %  MEM USAGE / LIMIT  MEM %  NET I/O  BLOCK I/O  PIDS
 * ```
 * The numbers are docker's (cli/command/container/stats_helpers.go): CPU % is
 * the container's CPU time over the host's between the sample and its
 * `precpu_stats`, times the online CPUs; memory is the usage without the
 * inactive page cache (`total_inactive_file` on cgroup v1, `inactive_file` on v2).
 */
import type { ContainerStatsResponse } from '../../api/processes.js';
import { containerList } from '../../client/containers.js';
import { containerPause, containerStats, containerStatsStream, containerTop, containerUnpause } from '../../client/processes.js';
import { bytesSize, humanSize, shortId } from '../../units.js';
import type { CommandContext } from '../context.js';
import { formatTable } from '../format.js';

/** Flags of `minidocker stats`. */
export interface StatsOptions {
  /** `--no-stream`: print one table and exit. */
  noStream?: boolean;
  /** `-a`: every container, not only the running ones (when no names are given). */
  all?: boolean;
}

/** The columns of `docker stats`. */
export const STATS_HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];

/**
 * `minidocker top CONTAINER [ps OPTIONS]`: the container's processes as the
 * daemon's host `ps` shows them, in docker's table (every column padded to
 * at least 20 characters).
 * @returns 0.
 */
export async function top(ctx: CommandContext, container: string, psOptions: string[]): Promise<number> {
  const list = await containerTop(ctx.client, container, psOptions);
  ctx.io.stdout.write(formatTable([list.Titles, ...list.Processes], 20, 3));
  return 0;
}

/**
 * `minidocker pause CONTAINER…`: pauses each (all at once) and prints each
 * name paused, in the order given.
 * @returns 0.
 * @throws AggregateError of the failures, once every name has been tried.
 */
export function pause(ctx: CommandContext, containers: string[]): Promise<number> {
  return forEach(ctx, containers, (name) => containerPause(ctx.client, name));
}

/** `minidocker unpause CONTAINER…`: as {@link pause}, with unpause. */
export function unpause(ctx: CommandContext, containers: string[]): Promise<number> {
  return forEach(ctx, containers, (name) => containerUnpause(ctx.client, name));
}

/**
 * `minidocker stats [--no-stream] [-a] [CONTAINER…]`: the named containers,
 * else the running ones (all with `-a`). With `--no-stream`, one table of one
 * sample each; else the table is drawn again every second (the screen
 * cleared first on a terminal) until every stream ends (interrupt to stop).
 * @returns 0.
 * @throws AggregateError of the containers whose stats could not be read (no table then, as docker).
 */
export async function stats(ctx: CommandContext, containers: string[], options: StatsOptions): Promise<number> {
  const names = containers.length > 0 ? containers : (await containerList(ctx.client, { all: options.all })).map((c) => c.Id);
  if (options.noStream) {
    const results = await Promise.allSettled(names.map((name) => containerStats(ctx.client, name)));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors);
    const rows = results.flatMap((r) => (r.status === 'fulfilled' ? [statsRow(r.value)] : []));
    ctx.io.stdout.write(formatTable([STATS_HEADER, ...rows]));
    return 0;
  }
  const latest = new Map<string, string[]>();
  const errors: unknown[] = [];
  let running = names.length;
  const streams = names.map(async (name) => {
    try {
      for await (const sample of containerStatsStream(ctx.client, name)) latest.set(name, statsRow(sample));
    } catch (err) {
      errors.push(err);
    } finally {
      running--;
    }
  });
  const draw = (): void => {
    const rows = names.map((name) => latest.get(name)).filter((row) => row !== undefined);
    ctx.io.stdout.write(`${ctx.io.stdout.isTTY ? '\x1b[2J\x1b[H' : ''}${formatTable([STATS_HEADER, ...rows])}`);
  };
  do {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    draw();
  } while (running > 0);
  await Promise.all(streams);
  if (errors.length > 0) throw new AggregateError(errors);
  return 0;
}

/**
 * One `docker stats` row from a sample: short id, name without its `/`,
 * CPU %, memory used / limit (binary units), memory %, network and block
 * I/O read / written (decimal units), pids.
 */
export function statsRow(sample: ContainerStatsResponse): string[] {
  const memory = memoryUsage(sample);
  const limit = sample.memory_stats.limit ?? 0;
  const [netRx, netTx] = Object.values(sample.networks ?? {}).reduce(([rx, tx], n) => [rx + n.rx_bytes, tx + n.tx_bytes], [0, 0]);
  const [blkRead, blkWrite] = blockIO(sample);
  return [
    shortId(sample.id ?? ''),
    sample.name !== undefined && sample.name.length > 1 ? sample.name.slice(1) : '--',
    `${cpuPercent(sample).toFixed(2)}%`,
    `${bytesSize(memory)} / ${bytesSize(limit)}`,
    `${(limit !== 0 ? (memory / limit) * 100 : 0).toFixed(2)}%`,
    `${humanSize(netRx)} / ${humanSize(netTx)}`,
    `${humanSize(blkRead)} / ${humanSize(blkWrite)}`,
    String(sample.pids_stats.current ?? 0),
  ];
}

/** docker's CPU %: (container's CPU time delta / host's CPU time delta) × online CPUs × 100; 0 without both deltas. */
export function cpuPercent(sample: ContainerStatsResponse): number {
  const cpuDelta = sample.cpu_stats.cpu_usage.total_usage - sample.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (sample.cpu_stats.system_cpu_usage ?? 0) - (sample.precpu_stats.system_cpu_usage ?? 0);
  const cpus = sample.cpu_stats.online_cpus || (sample.cpu_stats.cpu_usage.percpu_usage?.length ?? 0);
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** docker's memory use: the usage without the inactive page cache (which the kernel can drop). */
export function memoryUsage(sample: ContainerStatsResponse): number {
  const { usage = 0, stats = {} } = sample.memory_stats;
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

// Bytes read and written, summed over the devices (`Read`, `write` …: by the first letter, as docker).
function blockIO(sample: ContainerStatsResponse): [number, number] {
  let read = 0;
  let write = 0;
  for (const entry of sample.blkio_stats.io_service_bytes_recursive ?? []) {
    const op = entry.op[0]?.toLowerCase();
    if (op === 'r') read += entry.value;
    else if (op === 'w') write += entry.value;
  }
  return [read, write];
}

// docker runs these in parallel, prints names in argument order, and reports the errors together.
async function forEach(ctx: CommandContext, names: string[], op: (name: string) => Promise<unknown>): Promise<number> {
  const results = await Promise.allSettled(names.map(op));
  const errors: unknown[] = [];
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') ctx.io.stdout.write(`${names[i]}\n`);
    else errors.push(result.reason);
  });
  if (errors.length > 0) throw new AggregateError(errors);
  return 0;
}
