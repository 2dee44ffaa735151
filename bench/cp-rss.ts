/**
 * The cp section's memory cases: the daemon's RSS while one big file, made
 * as it is sent (bench/cp-inputs.ts bigFileTar), is PUT into the container
 * and then read back with a GET. Its RSS is read from outside, from
 * /proc/<daemon pid>/status: VmRSS before, and the larger of VmRSS sampled
 * every 20 ms and the kernel's high-water mark VmHWM, reset through
 * /proc/<pid>/clear_refs at the start (5) when that file is writable.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { MeasuredRow } from './cases.js';
import { CONTAINER_DIR, cpOut, deadlineMs } from './cp-cases.js';
import type { CpTarget, Timed } from './cp-cases.js';
import { bigFileTar } from './cp-inputs.js';
import { flushWrites } from './measure.js';
import { sampleRss, vmRss } from './registries.js';
import type { RunFixture } from './run-fixture.js';

const MB = 1e6;
const mb = (bytes: number): string => (bytes >= 1e9 ? `${bytes / 1e9} GB` : `${Math.round(bytes / MB)} MB`);

/** A process's resident-memory high-water mark, or undefined. */
async function vmHwm(pid: number): Promise<number | undefined> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** A process's RSS growth during `work`, and what `work` gave back. */
export interface RssGrowth<T> {
  baseline: number;
  peak: number;
  /** Whether the peak is the kernel's VmHWM (reset at the baseline), or only samples every 20 ms. */
  hwmReset: boolean;
  result: T;
}

/**
 * The daemon's RSS while `work` runs: VmRSS before it, the peak the larger of
 * samples every 20 ms and VmHWM, reset to the current RSS at the start
 * through `/proc/<pid>/clear_refs` (5) when that file is writable.
 */
export async function rssDuring<T>(pid: number, work: () => Promise<T>): Promise<RssGrowth<T>> {
  const hwmReset = await fs.writeFile(`/proc/${pid}/clear_refs`, '5').then(() => true, () => false);
  const out: { result?: T } = {};
  const { baseline, peak } = await sampleRss(pid, async () => void (out.result = await work()), 20);
  const hwm = hwmReset ? await vmHwm(pid) : undefined;
  const rss = (await vmRss(pid)) ?? 0;
  return { baseline, peak: Math.max(peak, hwm ?? 0, rss), hwmReset, result: out.result as T };
}

/**
 * The two RSS cases: one file of `size` bytes PUT into /dst/rss, then read
 * back with a GET, each judged by `goalMB` of the daemon's RSS growth.
 */
export async function rssCases(fx: RunFixture, t: CpTarget, label: string, size: number, goalMB: number, say: (line: string) => void): Promise<MeasuredRow[]> {
  const rows: MeasuredRow[] = [];
  const folder = `${CONTAINER_DIR}/rss`;
  const row = async (caseName: string, work: () => Promise<Timed>, check: (timed: Timed) => Promise<string | undefined>): Promise<void> => {
    say(`measuring ${caseName} …`);
    try {
      await flushWrites();
      const rss = await rssDuring(fx.daemonPid, work);
      const { seconds } = rss.result;
      const difference = await check(rss.result);
      if (difference !== undefined) throw new Error(difference);
      const growthMB = (rss.peak - rss.baseline) / MB;
      rows.push({
        case: caseName,
        tool: label,
        seconds,
        mbps: size / MB / seconds,
        goal: { text: `RSS +${growthMB.toFixed(1)} MB < ${goalMB} MB`, met: growthMB < goalMB },
        runs: [seconds],
        rss: { baselineMB: rss.baseline / MB, peakMB: rss.peak / MB, growthMB },
        ...(rss.hwmReset ? {} : { note: `peak sampled every 20 ms: /proc/${fx.daemonPid}/clear_refs was not writable` }),
      });
    } catch (err) {
      rows.push({ case: caseName, tool: label, note: `failed: ${((err as Error).message ?? String(err)).split('\n')[0]}` });
    }
  };
  await row(
    `RSS, PUT of a ${mb(size)} file`,
    () => cpInStream(t, folder, size),
    async () => {
      const stats = await fs.stat(path.join(`/proc/${t.pid}/root`, folder, 'big.bin')).catch(() => undefined);
      return stats === undefined || stats.size === size ? undefined : `${folder}/big.bin has ${stats.size} bytes, not ${size}`;
    },
  );
  if (rows[0]?.seconds === undefined) return rows;
  await row(
    `RSS, GET of a ${mb(size)} file`,
    () => cpOut(t, `${folder}/big.bin`, size),
    async (timed) => (timed.bytes !== undefined && timed.bytes >= size + 512 ? undefined : `the GET had ${String(timed.bytes)} bytes, the file is ${size}`),
  );
  return rows;
}

/** A PUT of one file of `size` bytes, made as it is sent (bench/cp-inputs.ts bigFileTar). */
async function cpInStream(t: CpTarget, folder: string, size: number): Promise<Timed> {
  const start = process.hrtime.bigint();
  await t.copyToContainer(t.client, t.id, folder, bigFileTar('big.bin', size), { signal: AbortSignal.timeout(deadlineMs(size)) });
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}
