/**
 * `npm run bench [-- --quick] [-- --json PATH]`: how fast the selected
 * implementation's applyLayer unpacks layers, side by side with `tar -xzf`
 * and `umoci unpack` on the same files, and how much memory it needs.
 *
 * 1. one gzip layer of 100 MB,
 * 2. an image of 50 gzip layers of 1 MB with whiteouts,
 * 3. the RSS growth while unpacking one 1 GB layer (goal: under 50 MB).
 *
 * Goals (issue 3): applyLayer at least as fast as umoci and at least 0.8 × tar.
 * `--quick` shrinks the inputs to 10 MB, 10 × 1 MB and 100 MB for a smoke run;
 * `--module FILE` measures the applyLayer of another file (an experiment).
 * The implementation is the learner's src/ unless DOCKERLINGS_IMPL=reference.
 * Results are printed as a table and written as JSON (machine, tools, every run).
 */
import { Command } from 'commander';
import chalk from 'chalk';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { IMPL_ENV, implDir, repoRoot, selectedImpl } from '../kata/impl.js';
import { GOALS, rssCase, throughputCase } from './cases.js';
import type { ApplyLayer, CaseContext, MeasuredRow } from './cases.js';
import { layerSeriesSet, singleLayerSet } from './input-sets.js';
import type { InputSet } from './input-sets.js';
import { renderTable } from './table.js';
import { findTool } from './tools.js';

interface Sizes {
  single: number;
  seriesCount: number;
  seriesBytes: number;
  rss: number;
}

const FULL: Sizes = { single: 100e6, seriesCount: 50, seriesBytes: 1e6, rss: 1e9 };
const QUICK: Sizes = { single: 10e6, seriesCount: 10, seriesBytes: 1e6, rss: 100e6 };
const RUNS = 3;
const CACHE = path.join(repoRoot, '.bench-cache');

const mb = (bytes: number): string => (bytes >= 1e9 ? `${bytes / 1e9} GB` : `${Math.round(bytes / 1e6)} MB`);
const say = (line: string): void => void process.stderr.write(`${chalk.dim(line)}\n`);

/**
 * Loads applyLayer from the selected tree.
 * @returns the function, or why it cannot be measured yet (missing file, a stub on the way).
 */
async function loadApplyLayer(modulePath: string, workDir: string): Promise<ApplyLayer | string> {
  if (!fs.existsSync(modulePath)) return `${path.relative(repoRoot, modulePath)} does not exist`;
  const { applyLayer } = (await import(pathToFileURL(modulePath).href)) as { applyLayer: ApplyLayer };
  // An empty tar (two zero blocks) is enough to tell a stub from an implementation.
  const probe = fs.mkdtempSync(path.join(workDir, 'probe-'));
  try {
    await applyLayer(probe, Readable.from([Buffer.alloc(1024)]));
  } catch (err) {
    if ((err as Error).name === 'NotImplementedError') return (err as Error).message;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
  return applyLayer;
}

function describeSet(set: InputSet): Record<string, unknown> {
  const gzipBytes = set.layers.reduce((sum, l) => sum + l.size, 0);
  return { layers: set.layers.length, tarBytes: set.tarBytes, gzipBytes, dir: path.relative(repoRoot, set.dir) };
}

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    memoryGB: Math.round(os.totalmem() / 1e9),
    node: process.version,
    kernel: os.release(),
    platform: `${process.platform}/${process.arch}`,
    uid: process.getuid?.(),
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('npm run bench --')
    .description('unpack throughput and memory of applyLayer, side by side with tar and umoci')
    .option('--quick', 'small inputs (10 MB, 10 × 1 MB, 100 MB) for a smoke run')
    .option('--json <path>', 'where to write the results (default: .bench-cache/results-<time>.json)')
    .option('--module <file>', 'measure the applyLayer exported by this file instead (an experiment)')
    .parse(argv, { from: 'user' });
  const opts = program.opts<{ quick?: boolean; json?: string; module?: string }>();
  const sizes = opts.quick ? QUICK : FULL;
  const impl = selectedImpl();
  const modulePath = opts.module ? path.resolve(opts.module) : path.join(implDir(impl), 'image', 'apply-layer.ts');

  fs.mkdirSync(CACHE, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(CACHE, 'work-'));
  const cleanUp = (): void => fs.rmSync(workDir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    const applyLayer = await loadApplyLayer(modulePath, workDir);
    if (typeof applyLayer === 'string') {
      process.stderr.write(`lesson-06: applyLayer is not implemented yet — \`${IMPL_ENV}=reference npm run bench\` measures the reference\n`);
      if (!applyLayer.startsWith('lesson-06: applyLayer ')) process.stderr.write(chalk.dim(`(${applyLayer})\n`));
      return 1;
    }
    const [tar, umoci] = await Promise.all([findTool('tar', 'apt-get install tar'), findTool('umoci', 'apt-get install umoci')]);
    const ctx: CaseContext = {
      applyLayer,
      modulePath,
      implLabel: `applyLayer (${opts.module ? path.basename(modulePath) : impl === 'reference' ? 'reference' : 'src/'})`,
      tar,
      umoci,
      workDir,
      runs: RUNS,
    };

    const single = await singleLayerSet(CACHE, sizes.single, true, say);
    const series = await layerSeriesSet(CACHE, sizes.seriesCount, sizes.seriesBytes, say);
    const big = await singleLayerSet(CACHE, sizes.rss, false, say);

    const rows: MeasuredRow[] = [];
    const singleName = `1 × ${mb(sizes.single)} layer`;
    say(`measuring ${singleName} …`);
    rows.push(...(await throughputCase(singleName, single, ctx)));
    const seriesName = `${sizes.seriesCount} × ${mb(sizes.seriesBytes)} layers`;
    say(`measuring ${seriesName} …`);
    rows.push(...(await throughputCase(seriesName, series, ctx)));
    const rssName = `RSS, 1 × ${mb(sizes.rss)} layer`;
    say(`measuring ${rssName} …`);
    rows.push(await rssCase(rssName, big, ctx));

    const out = process.stdout;
    out.write(`\n${chalk.bold('Unpack benchmark')} — ${ctx.implLabel}, median of ${RUNS} runs, MB = 10^6 bytes of uncompressed tar\n`);
    const m = machine();
    out.write(chalk.dim(`${m.cpus} × ${String(m.cpuModel)}, ${m.memoryGB} GB, Linux ${m.kernel}, Node ${m.node}, uid ${m.uid}\n`));
    out.write(chalk.dim(`tar: ${tar.version ?? 'missing'}; umoci: ${umoci.version ?? 'missing'}\n\n`));
    out.write(`${renderTable(rows)}\n\n`);
    out.write(chalk.dim(
      [
        `ratio = applyLayer's MB/s ÷ that tool's MB/s. Goals: ≥ umoci, ≥ ${GOALS.tar} × tar, RSS growth < ${GOALS.rssMB} MB.`,
        `Layers: tar+gzip (level 6), about half text and half random bytes, files of 4 KiB to 4 MiB; cached in .bench-cache/.`,
        `applyLayer runs in this process; tar and umoci run as child processes (their start-up is timed).`,
        `tar -xzf knows nothing of whiteouts: in the layer series it leaves .wh.* files where the others delete.`,
        `umoci unpack also writes the bundle's config.json and an mtree manifest of the rootfs (hashing every file).`,
        `RSS: peak VmHWM minus VmRSS once applyLayer's module is loaded, in a fresh node process.`,
      ].join('\n'),
    ) + '\n');

    const resultsFile = opts.json
      ? path.resolve(opts.json)
      : path.join(CACHE, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const results = {
      date: new Date().toISOString(),
      impl,
      module: path.relative(repoRoot, modulePath),
      quick: opts.quick === true,
      runs: RUNS,
      machine: m,
      tools: { tar: tar.version ?? null, umoci: umoci.version ?? null },
      inputs: { single: describeSet(single), series: describeSet(series), rss: describeSet(big) },
      goals: GOALS,
      rows,
    };
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    const shown = path.relative(process.cwd(), resultsFile);
    out.write(`results: ${shown.startsWith('..') ? resultsFile : shown}\n`);
    return rows.some((r) => r.note?.startsWith('failed')) ? 1 : 0;
  } finally {
    cleanUp();
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
