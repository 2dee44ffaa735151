/**
 * The run section: how long a container takes, end to end, next to the
 * runtime underneath.
 *
 * 1. `minidocker run --rm busybox true`, the CLI started as compiled
 *    JavaScript (dist/, built first), timed from spawn to exit; next to
 *    `runc run` of an equivalent bundle and `podman run --rootfs` (when
 *    installed). Goal: median ≤ 60 ms without NODE_EXTRA_CA_CERTS (that
 *    variable makes every Node start read a CA bundle; both rows are shown).
 *    `node -e 0` and `minidocker --version` show what start-up alone costs.
 * 2. The daemon's create → start → wait → delete through a warm EngineClient
 *    next to `runc create`, `runc start`, wait, `runc delete`.
 *    Goal: ≤ 1.3 × raw runc.
 * The daemon, the CLI and the client are the selected tree's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { buildIsCurrent } from '../bin/launch.js';
import { IMPL_ENV, repoRoot, selectedImpl } from '../kata/impl-switch.js';
import { median } from './measure.js';
import type { MeasuredRow } from './cases.js';
import { daemonLifecycle, podmanRun, runcLifecycle, runcRun, spawnToExit, timeRoundRobin } from './run-cases.js';
import type { Operation, Samples } from './run-cases.js';
import { runMode, setUpRunFixture } from './run-fixture.js';
import type { RunFixture } from './run-fixture.js';
import { findTool } from './tools.js';
import type { Tool } from './tools.js';

/** The issue's goals: the CLI's median at most 60 ms, the daemon's lifecycle at most 1.3 × raw runc. */
export const RUN_GOALS = { cliMs: 60, daemonVsRunc: 1.3 } as const;

/** A run row: latencies in ms. */
export type RunRow = MeasuredRow;

const CA_ENV = 'NODE_EXTRA_CA_CERTS';

/** `node bin/build.js`: dist/ from the sources as they are now. */
function build(): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'build.js')], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve(code === 0 ? undefined : output.trim().split('\n').slice(-3).join(' / ')));
  });
}

interface Planned {
  tool: string;
  op: Operation;
  note?: string;
}

function rowOf(caseName: string, planned: Planned, samples: Samples): RunRow {
  if (samples.error !== undefined || samples.ms.length === 0) {
    return { case: caseName, tool: planned.tool, note: `failed: ${samples.error ?? 'no runs'}`, runs: samples.ms };
  }
  const ms = { median: median(samples.ms), min: Math.min(...samples.ms), max: Math.max(...samples.ms) };
  return { case: caseName, tool: planned.tool, seconds: ms.median / 1000, ms, runs: samples.ms, ...(planned.note ? { note: planned.note } : {}) };
}

function missingRow(caseName: string, tool: Tool, label: string): RunRow {
  return { case: caseName, tool: label, note: tool.missing ?? `${tool.name} is not installed` };
}

/** The CLI case: minidocker (both environments), runc run, podman run, and the start-up rows. */
async function cliCase(fx: RunFixture, runc: Tool, podman: Tool, runs: number, say: (line: string) => void): Promise<RunRow[]> {
  const caseName = 'run --rm busybox true';
  const bin = path.join(repoRoot, 'bin', 'minidocker.js');
  const noCa = { ...process.env };
  delete noCa[CA_ENV];
  const cli = (env: NodeJS.ProcessEnv, args: string[]): Operation => () => spawnToExit(process.execPath, [bin, ...args], env);
  const runArgs = ['-H', `unix://${fx.socketPath}`, 'run', '--rm', 'busybox', 'true'];
  const planned: Planned[] = [{ tool: 'minidocker (compiled JS)', op: cli(noCa, runArgs), note: `${CA_ENV} unset` }];
  const ca = process.env[CA_ENV];
  if (ca) planned.push({ tool: 'minidocker (compiled JS)', op: cli(process.env, runArgs), note: `${CA_ENV}=${ca}` });
  if (runc.path) planned.push({ tool: 'runc run', op: runcRun(runc.path, fx) });
  let podmanRootfs: string | undefined;
  if (podman.path) {
    // podman writes into the rootfs it is given (/etc/hosts, /run …): a copy of its own.
    podmanRootfs = path.join(fx.dir, 'podman-rootfs');
    await fs.cp(fx.rootfs, podmanRootfs, { recursive: true, verbatimSymlinks: true });
    planned.push({ tool: 'podman run --rootfs', op: podmanRun(podman.path, podmanRootfs) });
  }
  planned.push({ tool: 'node -e 0', op: () => spawnToExit(process.execPath, ['-e', '0'], noCa), note: `Node start alone, ${CA_ENV} unset` });
  planned.push({ tool: 'minidocker --version', op: cli(noCa, ['--version']), note: `start + loading the CLI's modules, ${CA_ENV} unset` });

  say(`measuring ${caseName} (${planned.length} commands × ${runs}, round-robin) …`);
  const samples = await timeRoundRobin(planned.map((p) => p.op), runs);
  const rows = planned.map((p, i) => rowOf(caseName, p, samples[i]!));
  const mini = rows[0]!;
  if (mini.ms) mini.goal = { text: `≤ ${RUN_GOALS.cliMs} ms`, met: mini.ms.median <= RUN_GOALS.cliMs };
  for (const row of rows) {
    if (mini.ms && row.ms && !row.tool.startsWith('node ') && !row.tool.startsWith('minidocker --')) row.ratio = mini.ms.median / row.ms.median;
  }
  if (!runc.path) rows.splice(ca ? 2 : 1, 0, missingRow(caseName, runc, 'runc run'));
  if (!podman.path) rows.splice(rows.findIndex((r) => r.tool === 'node -e 0'), 0, missingRow(caseName, podman, 'podman run --rootfs'));
  return rows;
}

/** The daemon case: a warm EngineClient's create/start/wait/delete next to runc's. */
async function daemonCase(fx: RunFixture, runc: Tool, runs: number, say: (line: string) => void): Promise<RunRow[]> {
  const caseName = 'create → start → wait → delete';
  const planned: Planned[] = [{ tool: 'EngineClient → minidockerd', op: daemonLifecycle(fx.client), note: 'one warm client, keep-alive' }];
  if (runc.path) planned.push({ tool: 'runc create/start/delete', op: runcLifecycle(runc.path, fx), note: 'wait: /proc poll' });
  say(`measuring ${caseName} (${planned.length} × ${runs}, round-robin) …`);
  const samples = await timeRoundRobin(planned.map((p) => p.op), runs);
  const rows = planned.map((p, i) => rowOf(caseName, p, samples[i]!));
  const [daemon, raw] = rows;
  if (daemon?.ms) daemon.ratio = 1;
  if (daemon?.ms && raw?.ms) {
    raw.ratio = daemon.ms.median / raw.ms.median;
    raw.goal = { text: `≤ ${RUN_GOALS.daemonVsRunc} × runc`, met: raw.ratio <= RUN_GOALS.daemonVsRunc };
  }
  if (!runc.path) rows.push(missingRow(caseName, runc, 'runc create/start/delete'));
  return rows;
}

/** Options of {@link runSection}. */
export interface RunSectionOptions {
  runs: number;
  workDir: string;
  say: (line: string) => void;
}

/**
 * Runs the whole section: builds dist/, sets up registry, daemon and bundle,
 * times both cases and tears everything down.
 * @returns the rows (a single failed row when the set-up failed), the tools' versions and the set-up facts.
 */
export async function runSection(options: RunSectionOptions): Promise<{ rows: RunRow[]; json: Record<string, unknown>; header: string }> {
  const { runs, workDir, say } = options;
  const tree = selectedImpl() === 'reference' ? 'solutions' : 'src';
  const [runc, podman] = await Promise.all([findTool('runc', 'apt-get install runc'), findTool('podman', 'apt-get install podman')]);
  const versions = { runc: runc.version ?? null, podman: podman.version ?? null };
  const header = `runc: ${runc.version ?? 'missing'}; podman: ${podman.version ?? 'not installed'}; ${runMode()}`;
  const fail = (note: string): { rows: RunRow[]; json: Record<string, unknown>; header: string } => ({
    rows: [
      {
        case: 'run',
        tool: `minidocker (${tree}/)`,
        note: `failed: ${note}${/is not implemented yet/.test(note) ? ` — \`${IMPL_ENV}=reference npm run bench -- --only run\` measures the reference` : ''}`,
      },
    ],
    json: { tools: versions, mode: runMode() },
    header,
  });

  say('run: npm run build …');
  const buildError = await build();
  if (buildError !== undefined) return fail(`npm run build: ${buildError}`);
  if (!buildIsCurrent(tree)) return fail(`dist/ is not current for ${tree}/ right after the build (was a file saved meanwhile?)`);

  let fx: RunFixture;
  try {
    fx = await setUpRunFixture(workDir, say);
  } catch (err) {
    return fail((err as Error).message.split('\n')[0] ?? String(err));
  }
  try {
    const rows = [...(await cliCase(fx, runc, podman, runs, say)), ...(await daemonCase(fx, runc, runs, say))];
    // A daemon that died explains every failed row after it: its last words go into the results.
    const daemonExit = fx.daemonLog().trim().split('\n').slice(-12).join('\n');
    if (rows.some((r) => r.note?.startsWith('failed')) && daemonExit !== '') say(`minidockerd's last lines:\n${daemonExit}`);
    // The CLI rows ran from dist/ only if nothing was edited while they ran.
    const compiled = buildIsCurrent(tree);
    if (!compiled) for (const row of rows) if (row.tool.startsWith('minidocker')) row.note = `${row.note ?? ''} — dist/ went stale during the runs: tsx`.trim();
    return { rows, json: { tools: versions, mode: runMode(), compiledCli: compiled, tree }, header };
  } finally {
    await fx.teardown();
  }
}
