/**
 * The measured cases: unpack throughput of an input set by the selected
 * applyLayer and by each competitor, and applyLayer's memory growth on a big layer.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../kata/impl-switch.js';
import type { InputSet } from './input-sets.js';
import { BENCH_TAG } from './layout.js';
import { diffTree, flushWrites, timeRuns, warmUp } from './measure.js';
import type { Timing } from './measure.js';
import type { Row } from './table.js';
import { tarExtract, umociUnpack } from './tools.js';
import type { Tool } from './tools.js';

/** The implementation's entry point, as lesson 06 defines it. */
export type ApplyLayer = (rootfs: string, layer: Readable) => Promise<{ diffID: string; size: number }>;

/** What every case needs. */
export interface CaseContext {
  applyLayer: ApplyLayer;
  /** The file applyLayer was loaded from (the RSS child loads it again). */
  modulePath: string;
  /** The row label of the implementation, e.g. `applyLayer (reference)`. */
  implLabel: string;
  tar: Tool;
  umoci: Tool;
  /** Where the fresh target folders are made. */
  workDir: string;
  runs: number;
}

/** A row plus every run's time, for the JSON results. */
export interface MeasuredRow extends Row {
  runs?: number[];
  /** The RSS case's memory figures, in MB. */
  rss?: { baselineMB: number; peakMB: number; growthMB: number };
}

const MB = 1e6;
/** The goals of issue 3: at least umoci's throughput, at least 0.8 × tar's, RSS growth under 50 MB. */
export const GOALS = { tar: 0.8, umoci: 1, rssMB: 50 } as const;

function rowOf(caseName: string, tool: string, timing: Timing, bytes: number): MeasuredRow {
  if (timing.seconds === undefined) return { case: caseName, tool, note: `failed: ${timing.error ?? 'unknown error'}`, runs: timing.runs };
  return { case: caseName, tool, seconds: timing.seconds, mbps: bytes / MB / timing.seconds, runs: timing.runs };
}

/**
 * Times applyLayer, `tar -xzf` and `umoci unpack` on the same input set, each
 * `ctx.runs` times into a fresh folder. applyLayer's first run is checked
 * against the expected rootfs and each layer's DiffID, so a fast wrong answer
 * cannot win.
 */
export async function throughputCase(caseName: string, set: InputSet, ctx: CaseContext): Promise<MeasuredRow[]> {
  await warmUp(set.files);
  const impl = await timeRuns(
    ctx.workDir,
    ctx.runs,
    async (target) => {
      for (const [i, file] of set.files.entries()) {
        const { diffID } = await ctx.applyLayer(target, createReadStream(file));
        const want = set.layers[i]!.diffID;
        if (diffID !== want) throw new Error(`layer ${i + 1}: applyLayer returned DiffID ${diffID}, the layer's is ${want}`);
      }
    },
    async (target) => {
      const difference = await diffTree(target, set.expected);
      if (difference) throw new Error(`the unpacked rootfs is wrong: ${difference}`);
    },
  );
  const implRow = rowOf(caseName, ctx.implLabel, impl, set.tarBytes);
  if (implRow.mbps !== undefined) implRow.ratio = 1;
  const rows = [implRow];
  const compare = (row: MeasuredRow, goal: number, text: string): MeasuredRow => {
    if (row.mbps === undefined || implRow.mbps === undefined) return row;
    const ratio = implRow.mbps / row.mbps;
    return { ...row, ratio, goal: { text, met: ratio >= goal } };
  };

  if (ctx.tar.path) {
    const tar = ctx.tar.path;
    const timing = await timeRuns(ctx.workDir, ctx.runs, async (target) => {
      for (const file of set.files) await tarExtract(tar, file, target);
    });
    rows.push(compare(rowOf(caseName, 'tar -xzf', timing, set.tarBytes), GOALS.tar, `≥ ${GOALS.tar} × tar`));
  } else rows.push({ case: caseName, tool: 'tar -xzf', note: ctx.tar.missing });

  if (ctx.umoci.path && set.layoutDir) {
    const [umoci, layoutDir] = [ctx.umoci.path, set.layoutDir];
    const timing = await timeRuns(ctx.workDir, ctx.runs, (target) => umociUnpack(umoci, layoutDir, BENCH_TAG, path.join(target, 'bundle')));
    rows.push(compare(rowOf(caseName, 'umoci unpack', timing, set.tarBytes), GOALS.umoci, '≥ umoci'));
  } else rows.push({ case: caseName, tool: 'umoci unpack', note: ctx.umoci.missing ?? 'no OCI layout for this input' });
  return rows;
}

interface RssReport {
  seconds?: number;
  baseline?: number;
  peak?: number;
  growth?: number;
  hwmReset?: boolean;
  diffID?: string;
  error?: string;
  name?: string;
}

const RSS_CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-child.ts');

function runRssChild(modulePath: string, layer: string, rootfs: string): Promise<RssReport> {
  return new Promise((resolve, reject) => {
    // cwd is the repository, so `--import tsx` finds tsx in its node_modules.
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', RSS_CHILD, modulePath, layer, rootfs], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as RssReport);
      } catch {
        reject(new Error(`the RSS probe exited with ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
      }
    });
  });
}

/**
 * Unpacks one big layer with applyLayer in a child process and reports its
 * RSS growth (peak minus the RSS once loaded). One run: the point is the
 * peak, not the time, though the time is shown too.
 */
export async function rssCase(caseName: string, set: InputSet, ctx: CaseContext): Promise<MeasuredRow> {
  const file = set.files[0]!;
  await warmUp([file]);
  const target = await fs.mkdtemp(path.join(ctx.workDir, 'rss-'));
  await flushWrites();
  const report = await runRssChild(ctx.modulePath, file, target);
  const failed = (why: string): MeasuredRow => ({ case: caseName, tool: ctx.implLabel, note: `failed: ${why}` });
  if (report.error !== undefined || report.seconds === undefined || report.growth === undefined) return failed(report.error ?? 'no report');
  if (report.diffID !== set.layers[0]!.diffID) return failed(`DiffID ${report.diffID}, the layer's is ${set.layers[0]!.diffID}`);
  const growthMB = report.growth / MB;
  return {
    case: caseName,
    tool: ctx.implLabel,
    seconds: report.seconds,
    mbps: set.tarBytes / MB / report.seconds,
    goal: { text: `RSS +${growthMB.toFixed(1)} MB < ${GOALS.rssMB} MB`, met: growthMB < GOALS.rssMB },
    runs: [report.seconds],
    rss: { baselineMB: (report.baseline ?? 0) / MB, peakMB: (report.peak ?? 0) / MB, growthMB },
    ...(report.hwmReset ? {} : { note: 'peak sampled every 20 ms: /proc/self/clear_refs was not writable' }),
  };
}
