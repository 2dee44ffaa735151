/**
 * `npm run bench [-- --quick] [-- --only unpack|registry|run|ports|cp] [-- --json PATH]`:
 * how the selected implementation performs, side by side with established tools.
 *
 * Unpack: how fast applyLayer unpacks layers, next to `tar -xzf` and
 * `umoci unpack` on the same files, and how much memory it needs:
 * 1. one gzip layer of 100 MB,
 * 2. an image of 50 gzip layers of 1 MB with whiteouts,
 * 3. the RSS growth while unpacking one 1 GB layer (goal: under 50 MB).
 * Goals: applyLayer at least as fast as umoci and at least 0.8 × tar.
 *
 * Registry (bench/registry.ts): `skopeo copy` pushes and pulls of a 1 MB, a
 * 100 MB and a 50 × 1 MB image to `minidocker-registry` and to Debian's
 * `docker-registry`, and the registry's RSS growth during a 1 GB push.
 * Goals: at least distribution's MB/s in every row, RSS growth under 50 MB.
 *
 * Run (bench/run.ts): `minidocker run --rm busybox true` with the CLI as
 * compiled JavaScript, next to `runc run` of an equivalent bundle and
 * `podman run --rootfs`; and the daemon's create → start → wait → delete
 * through a warm client next to `runc create/start/delete`; `exec … true` into
 * one running container through the CLI and the warm client, next to the
 * daemon's own `runc exec --process` of that container (bench/exec-cases.ts).
 * Goals: CLI-to-exit median ≤ 60 ms (without NODE_EXTRA_CA_CERTS), the
 * daemon's lifecycle ≤ 1.3 × raw runc, the API's exec ≤ 1.6 × runc exec.
 *
 * Ports (bench/ports.ts): GETs of a 1 kB file from busybox httpd in a runc
 * container, each on a fresh TCP connection, through lesson 14's port proxy
 * (bindPorts + startPortProxy, on a kernel-chosen 127.0.0.1 port) next to the
 * same client run with nsenter in the container's network namespace, straight
 * to port 80. Goals: p50 ≤ 2 × direct, req/s ≥ 0.5 × direct (alone and 8 at a time).
 *
 * cp (bench/cp.ts): lesson 15's archive API on a running busybox container of
 * a real minidockerd, next to `tar` on the host, on one 100 MB tree (a 50 MB
 * file, a few of some MB, about 2000 small ones): its tar PUT into the
 * container vs `tar -xf -`, and the GET of it read to its end vs `tar -cf -`;
 * the daemon's RSS growth while a 1 GB file is PUT and read back.
 * Goals: PUT ≥ 0.25 × tar -xf's MB/s, GET ≥ 0.15 × tar -cf's, RSS growth under 50 MB.
 *
 * `--quick` shrinks the inputs (10 MB, 10 × 1 MB, 100 MB; registry 1 MB,
 * 10 MB, 10 × 1 MB, 100 MB; 10 runs instead of 30 of each container, and 10
 * rounds instead of 30 of the port proxy's requests; a 20 MB cp tree and a
 * 100 MB file) for a
 * smoke run; `--module FILE` measures the applyLayer of another file (an experiment).
 * The implementation is the learner's src/ unless DOCKERLINGS_IMPL=reference.
 * Results are printed as tables and written as JSON (machine, tools, every run).
 */
import { Command, Option } from 'commander';
import chalk from 'chalk';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { IMPL_ENV, implDir, repoRoot, selectedImpl } from '../kata/impl-switch.js';
import { GOALS, rssCase, throughputCase } from './cases.js';
import type { ApplyLayer, CaseContext, MeasuredRow } from './cases.js';
import { layerSeriesSet, singleLayerSet } from './input-sets.js';
import type { InputSet } from './input-sets.js';
import { runInterruptHooks } from './interrupt.js';
import { registryImages } from './registry-inputs.js';
import type { PushImage, RegistrySizes } from './registry-inputs.js';
import { REGISTRY_GOALS, registrySection } from './registry.js';
import type { RegistryContext, RegistryRow } from './registry.js';
import { cpSection } from './cp.js';
import { portSection } from './ports.js';
import { RUN_GOALS, runSection } from './run.js';
import type { RunRow } from './run.js';
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
const REGISTRY_FULL: RegistrySizes = { small: 1e6, big: 100e6, seriesCount: 50, seriesBytes: 1e6, rss: 1e9 };
const REGISTRY_QUICK: RegistrySizes = { small: 1e6, big: 10e6, seriesCount: 10, seriesBytes: 1e6, rss: 100e6 };
const RUNS = 3;
/** Containers are quick and noisy: many more runs than the throughput cases. */
const RUN_RUNS = { full: 30, quick: 10 } as const;
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

interface Options {
  quick?: boolean;
  json?: string;
  module?: string;
  only?: 'unpack' | 'registry' | 'run' | 'ports' | 'cp';
}

/** The unpack section: its table, footer and JSON, or undefined (after saying why) when applyLayer cannot run yet. */
async function unpackSection(opts: Options, workDir: string): Promise<{ text: string; json: Record<string, unknown>; rows: MeasuredRow[] } | undefined> {
  const sizes = opts.quick ? QUICK : FULL;
  const impl = selectedImpl();
  const modulePath = opts.module ? path.resolve(opts.module) : path.join(implDir(impl), 'image', 'apply-layer.ts');
  const applyLayer = await loadApplyLayer(modulePath, workDir);
  if (typeof applyLayer === 'string') {
    process.stderr.write(`lesson-06: applyLayer is not implemented yet — \`${IMPL_ENV}=reference npm run bench\` measures the reference\n`);
    if (!applyLayer.startsWith('lesson-06: applyLayer ')) process.stderr.write(chalk.dim(`(${applyLayer})\n`));
    return undefined;
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

  const text = [
    `${chalk.bold('Unpack benchmark')} — ${ctx.implLabel}, median of ${RUNS} runs, MB = 10^6 bytes of uncompressed tar`,
    chalk.dim(`tar: ${tar.version ?? 'missing'}; umoci: ${umoci.version ?? 'missing'}`),
    '',
    renderTable(rows),
    '',
    chalk.dim(
      [
        `ratio = applyLayer's MB/s ÷ that tool's MB/s. Goals: ≥ umoci, ≥ ${GOALS.tar} × tar, RSS growth < ${GOALS.rssMB} MB.`,
        `Layers: tar+gzip (level 6), about half text and half random bytes, files of 4 KiB to 4 MiB; cached in .bench-cache/.`,
        `applyLayer runs in this process; tar and umoci run as child processes (their start-up is timed).`,
        `tar -xzf knows nothing of whiteouts: in the layer series it leaves .wh.* files where the others delete.`,
        `umoci unpack also writes the bundle's config.json and an mtree manifest of the rootfs (hashing every file).`,
        `RSS: peak VmHWM minus VmRSS once applyLayer's module is loaded, in a fresh node process.`,
      ].join('\n'),
    ),
  ].join('\n');
  const json = {
    module: path.relative(repoRoot, modulePath),
    tools: { tar: tar.version ?? null, umoci: umoci.version ?? null },
    inputs: { single: describeSet(single), series: describeSet(series), rss: describeSet(big) },
    goals: GOALS,
  };
  return { text, json, rows };
}

/** The registry section: skopeo push/pull to minidocker-registry and docker-registry, and the RSS of a big push. */
async function registryBenchSection(opts: Options, workDir: string): Promise<{ text: string; json: Record<string, unknown>; rows: RegistryRow[] }> {
  const sizes = opts.quick ? REGISTRY_QUICK : REGISTRY_FULL;
  const impl = selectedImpl();
  const [skopeo, distribution] = await Promise.all([
    findTool('skopeo', 'apt-get install skopeo'),
    findTool('docker-registry', 'apt-get install docker-registry'),
  ]);
  const ctx: RegistryContext = {
    skopeo,
    distribution,
    implLabel: `minidocker-registry (${impl === 'reference' ? 'reference' : 'src/'})`,
    workDir,
    runs: RUNS,
  };
  if (!skopeo.path) process.stderr.write(`${skopeo.missing ?? 'skopeo is missing'}: the registry section is skipped\n`);
  const images = skopeo.path ? await registryImages(CACHE, sizes, say) : undefined;
  const rows = images ? await registrySection(images, ctx, say) : [{ case: 'registry', tool: 'skopeo', note: skopeo.missing }];
  const text = [
    `${chalk.bold('Registry benchmark')} — ${ctx.implLabel} vs docker-registry, skopeo copy, median of ${RUNS} runs, MB = 10^6 bytes of compressed layers`,
    chalk.dim(`skopeo: ${skopeo.version ?? 'missing'}; docker-registry: ${distribution.version ?? 'missing'}`),
    '',
    renderTable(rows),
    '',
    chalk.dim(
      [
        `ratio = minidocker-registry's MB/s ÷ docker-registry's. Goals: ≥ distribution in every row, RSS growth < ${REGISTRY_GOALS.rssMB} MB.`,
        `push: oci layout → docker://, each run into a fresh registry (empty root, new port), so every blob is uploaded.`,
        `Every fresh registry first gets an untimed push of a 100 kB warm-up image (other blobs), so no timing includes its first requests.`,
        `pull: pushed once into a fresh registry, then pulled into a fresh oci layout per run; the first pull's layer digests are checked.`,
        `Both registries are child processes storing on the same disk (.bench-cache/work-*); skopeo's start-up is timed for both.`,
        `Images: the unpack inputs (gzip, about half text and half random); the RSS image is one layer of random files (gzip ≈ content).`,
        `RSS: the registry's VmRSS sampled every 50 ms during one push, peak minus the RSS after start-up and the warm-up push.`,
      ].join('\n'),
    ),
  ].join('\n');
  const describe = (i: PushImage): Record<string, unknown> => ({ name: i.name, layers: i.layers.length, bytes: i.bytes, layout: path.relative(repoRoot, i.layoutDir) });
  const json = {
    tools: { skopeo: skopeo.version ?? null, distribution: distribution.version ?? null },
    inputs: images ? { throughput: images.throughput.map(describe), rss: describe(images.rss), warmUp: describe(images.warmUp) } : null,
    goals: REGISTRY_GOALS,
    rows,
  };
  return { text, json, rows };
}

/** The run section: a container end to end through the CLI and through the client, next to runc (and podman). */
async function runBenchSection(opts: Options, workDir: string): Promise<{ text: string; json: Record<string, unknown>; rows: RunRow[] }> {
  const runs = opts.quick ? RUN_RUNS.quick : RUN_RUNS.full;
  const impl = selectedImpl();
  const label = impl === 'reference' ? 'reference' : 'src/';
  const { rows, json, header } = await runSection({ runs, workDir, say });
  const text = [
    `${chalk.bold('Run benchmark')} — minidocker and minidockerd (${label}), busybox \`true\`, median, min and max of ${runs} runs in ms`,
    chalk.dim(header),
    '',
    renderTable(rows, { latency: true }),
    '',
    chalk.dim(
      [
        `ratio = minidocker's median ÷ that row's (lower is better). Goals: CLI-to-exit median ≤ ${RUN_GOALS.cliMs} ms with NODE_EXTRA_CA_CERTS unset,`,
        `  daemon lifecycle ≤ ${RUN_GOALS.daemonVsRunc} × runc's. NODE_EXTRA_CA_CERTS makes every Node start read that CA bundle; the goal row runs without it.`,
        `Every command is timed from spawn() in this process to its exit; the commands take turns (round-robin), after one untimed run each.`,
        `minidocker: \`node bin/minidocker.js -H unix://… run --rm busybox true\` from dist/ (npm run build just before; no tsx), against a warm`,
        `  minidockerd of the same tree that pulled busybox from a local registry mirror; --rm makes the CLI wait until the container is removed.`,
        `runc run: \`runc run --bundle B\` — create, start, wait, delete in one process; B is the spec the daemon builds (lesson 10's buildSpec:`,
        `  docker's capabilities, mounts, masked paths, own network namespace, a cgroup when root) on busybox unpacked once (no overlay mount).`,
        `podman: \`podman run --rm --runtime runc --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --rootfs DIR true\` on a copy of that rootfs.`,
        `create → start → wait → delete: the API calls over one keep-alive EngineClient (wait with condition=not-running) vs \`runc create\`,`,
        `  \`runc start\`, a 1 ms poll of /proc/<pid>/stat until the container's init is gone (runc create orphans it), \`runc delete\`.`,
        `exec <running ctr> true: into one busybox \`sleep 86400\` started through minidockerd; here ratio = that row's median ÷ runc exec's.`,
        `  Goal: the warm client's exec (create → start without Upgrade, stream read to its end → inspect, ExitCode 0) ≤ ${RUN_GOALS.execVsRunc} × runc exec.`,
        `  runc exec --process: \`runc --root <data root>/runtime/runc --log-format json --log L exec --process P --pid-file F <Id>\`, the argv`,
        `  the daemon's shim runs (Runc.execArgs), P the process.json it writes for \`true\`; without the shim (sh, mkfifo, mv), requests, files.`,
        `  minidocker exec: \`node bin/minidocker.js -H unix://… exec <Id> true\` — Node's start, the CLI's modules, inspect, the same exec (Upgrade).`,
      ].join('\n'),
    ),
  ].join('\n');
  return { text, json: { ...json, runs, goals: RUN_GOALS, rows }, rows };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('npm run bench --')
    .description(
      'unpack throughput and memory of applyLayer next to tar and umoci; registry push/pull next to docker-registry; container runs and exec next to runc and podman; the port proxy next to no proxy; docker cp\'s archive API next to tar',
    )
    .option('--quick', 'small inputs for a smoke run')
    .addOption(new Option('--only <section>', 'run one section').choices(['unpack', 'registry', 'run', 'ports', 'cp']))
    .option('--json <path>', 'where to write the results (default: .bench-cache/results-<time>.json)')
    .option('--module <file>', 'measure the applyLayer exported by this file instead (an experiment)')
    .parse(argv, { from: 'user' });
  const opts = program.opts<Options>();
  const impl = selectedImpl();

  fs.mkdirSync(CACHE, { recursive: true });
  const workDir = fs.mkdtempSync(path.join(CACHE, 'work-'));
  const cleanUp = (): void => fs.rmSync(workDir, { recursive: true, force: true });
  let interrupted = false;
  // `on`, not `once`: under tsx a second SIGINT follows the first, and with no listener left tsx's ends the process.
  process.on('SIGINT', () => {
    if (interrupted) return;
    interrupted = true;
    // First what the fixtures left running or mounted under the work folder (bench/interrupt.ts), then the
    // folder, never blocking the event loop: tsx's parent SIGKILLs a child that does not answer its relayed SIGINT.
    void runInterruptHooks()
      .then(() => fs.promises.rm(workDir, { recursive: true, force: true, maxRetries: 3 }))
      .catch((err: unknown) => process.stderr.write(`bench: ${(err as Error).message}\n`))
      .finally(() => process.exit(130));
  });
  try {
    const wanted = (section: NonNullable<Options['only']>): boolean => opts.only === undefined || opts.only === section;
    const unpack = wanted('unpack') ? await unpackSection(opts, workDir) : undefined;
    const unpackUnavailable = wanted('unpack') && unpack === undefined;
    const registry = wanted('registry') ? await registryBenchSection(opts, workDir) : undefined;
    const runs = wanted('run') ? await runBenchSection(opts, workDir) : undefined;
    const ports = wanted('ports') ? await portSection({ runs: opts.quick ? RUN_RUNS.quick : RUN_RUNS.full, workDir, say }) : undefined;
    const cp = wanted('cp') ? await cpSection({ quick: opts.quick === true, workDir, cacheRoot: CACHE, say }) : undefined;

    const out = process.stdout;
    const m = machine();
    out.write(`\n${chalk.dim(`${m.cpus} × ${String(m.cpuModel)}, ${m.memoryGB} GB, Linux ${m.kernel}, Node ${m.node}, uid ${m.uid}`)}\n`);
    for (const section of [unpack, registry, runs, ports, cp]) if (section) out.write(`\n${section.text}\n`);
    out.write('\n');

    const resultsFile = opts.json
      ? path.resolve(opts.json)
      : path.join(CACHE, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const results = {
      date: new Date().toISOString(),
      impl,
      quick: opts.quick === true,
      runs: RUNS,
      machine: m,
      // The unpack section's fields stay at the top level, as before the registry section existed.
      ...(unpack ? { ...unpack.json, rows: unpack.rows } : {}),
      ...(registry ? { registry: registry.json } : {}),
      ...(runs ? { run: runs.json } : {}),
      ...(ports ? { ports: ports.json } : {}),
      ...(cp ? { cp: cp.json } : {}),
    };
    fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
    fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    const shown = path.relative(process.cwd(), resultsFile);
    out.write(`results: ${shown.startsWith('..') ? resultsFile : shown}\n`);
    const rows: MeasuredRow[] = [...(unpack?.rows ?? []), ...(registry?.rows ?? []), ...(runs?.rows ?? []), ...(ports?.rows ?? []), ...(cp?.rows ?? [])];
    return unpackUnavailable || rows.some((r) => r.note?.startsWith('failed')) ? 1 : 0;
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
