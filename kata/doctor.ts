/**
 * The doctor: finds out what this machine has (`probeDoctorFacts`) and prints what the
 * diagnosis rules make of it (`runDoctor`).
 *
 * It always judges with the reference rules in solutions/doctor/rules.ts, so
 * `npm start` can check the machine before lesson 00 is written. The probe is
 * real: it runs `/bin/true` in a throw-away container through runc, because
 * only a container that ran proves runc, busybox, privileges and cgroups fit.
 */
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import chalk from 'chalk';
import type { Distro, Finding, DoctorFacts } from '../solutions/doctor/facts.js';
import { diagnose } from '../solutions/doctor/rules.js';

const exec = promisify(execFile);

/** Where runc and busybox live on distributions that keep them out of a user's PATH. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];
const DISTROS: readonly Distro[] = ['debian', 'ubuntu', 'fedora', 'rhel', 'arch', 'alpine'];
const V1_CONTROLLERS = new Set([
  'blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'hugetlb', 'memory', 'misc', 'net_cls', 'net_prio', 'perf_event', 'pids', 'rdma',
]);
const RUN_TIMEOUT_MS = 10_000;

async function readText(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

async function exists(file: string, mode = fsConstants.F_OK): Promise<boolean> {
  return fs.access(file, mode).then(() => true, () => false);
}

/**
 * The distribution family named by an os-release file: the first of `ID`,
 * then each `ID_LIKE` entry, that the doctor knows (Linux Mint → ubuntu,
 * Rocky → rhel, Manjaro → arch). `unknown` when none is known.
 */
export function distroFromOsRelease(text: string): Distro {
  const field = (key: string): string =>
    new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1]?.replace(/^["']|["']$/g, '').toLowerCase() ?? '';
  const ids = [field('ID'), ...field('ID_LIKE').split(/\s+/)];
  return ids.find((id): id is Distro => (DISTROS as readonly string[]).includes(id)) ?? 'unknown';
}

/**
 * Finds an executable on PATH, then in the sbin folders (Debian keeps runc in
 * /usr/sbin, which a user's PATH often lacks). Undefined when it is nowhere.
 */
export async function findExecutable(
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ path: string; onPath: boolean } | undefined> {
  const onPath = (env.PATH ?? '').split(path.delimiter).filter((dir) => path.isAbsolute(dir));
  for (const [dirs, isOnPath] of [[onPath, true], [SBIN_DIRS, false]] as const) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      const stat = await fs.stat(candidate).catch(() => undefined);
      if (stat?.isFile() && (await exists(candidate, fsConstants.X_OK))) return { path: candidate, onPath: isOnPath };
    }
  }
  return undefined;
}

/**
 * Whether an ELF binary runs without a dynamic loader: it has no `PT_INTERP`
 * program header (a static-pie binary counts as static). False for a file that
 * is not ELF; undefined when it cannot be read. Reads headers only, so no
 * `file` command is needed.
 */
export async function isStaticElf(file: string): Promise<boolean | undefined> {
  const handle = await fs.open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const header = Buffer.alloc(64);
    const { bytesRead } = await handle.read(header, 0, 64, 0);
    if (bytesRead < 52 || header.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = header[4] === 2;
    const le = header[5] === 1;
    const u16 = (b: Buffer, at: number): number => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number): number => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const phoff = is64 ? Number(le ? header.readBigUInt64LE(0x20) : header.readBigUInt64BE(0x20)) : u32(header, 0x1c);
    const phentsize = u16(header, is64 ? 0x36 : 0x2a);
    const phnum = u16(header, is64 ? 0x38 : 0x2c);
    const table = Buffer.alloc(phentsize * phnum);
    await handle.read(table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** runc's own words from a failed command: the last `msg="…"` on stderr, else its last line. */
function runcError(err: unknown): string {
  const e = err as { stderr?: string; killed?: boolean; message?: string };
  if (e.killed) return `runc did not finish within ${RUN_TIMEOUT_MS / 1000} s`;
  const stderr = e.stderr ?? '';
  const msgs = [...stderr.matchAll(/msg="((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
  return msgs.at(-1) ?? stderr.trim().split('\n').at(-1) ?? e.message ?? String(err);
}

/**
 * Runs `/bin/true` in a throw-away container: a bundle in a temp folder whose
 * rootfs holds only the static busybox, `runc spec` (`--rootless` unless root),
 * and `runc run` with its own state folder. Everything is deleted afterwards,
 * also when the run fails.
 */
export async function tryContainer(runc: string, busybox: string, rootless: boolean): Promise<{ ok: boolean; error?: string }> {
  const bundle = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-doctor-'));
  const state = path.join(bundle, 'state');
  const id = `doctor-${process.pid}`;
  try {
    const bin = path.join(bundle, 'rootfs', 'bin');
    await fs.mkdir(bin, { recursive: true });
    await fs.copyFile(busybox, path.join(bin, 'busybox'));
    await fs.chmod(path.join(bin, 'busybox'), 0o755);
    for (const applet of ['sh', 'true']) await fs.symlink('busybox', path.join(bin, applet));
    await exec(runc, ['spec', ...(rootless ? ['--rootless'] : [])], { cwd: bundle, timeout: RUN_TIMEOUT_MS });
    const configFile = path.join(bundle, 'config.json');
    const spec = JSON.parse(await fs.readFile(configFile, 'utf8')) as { process: { args: string[]; terminal: boolean } };
    spec.process.args = ['/bin/true'];
    spec.process.terminal = false;
    await fs.writeFile(configFile, JSON.stringify(spec));
    await exec(runc, ['--root', state, 'run', '--bundle', bundle, id], { timeout: RUN_TIMEOUT_MS });
    return { ok: true };
  } catch (err) {
    return { ok: false, error: runcError(err) };
  } finally {
    await exec(runc, ['--root', state, 'delete', '--force', id], { timeout: RUN_TIMEOUT_MS }).catch(() => undefined);
    await fs.rm(bundle, { recursive: true, force: true });
  }
}

/** busybox, preferring a static one: Alpine's busybox-static installs it as busybox.static. */
async function probeBusybox(): Promise<DoctorFacts['busybox']> {
  let first: DoctorFacts['busybox'] | undefined;
  for (const name of ['busybox', 'busybox.static']) {
    const found = await findExecutable(name);
    if (!found) continue;
    const candidate = { path: found.path, isStatic: await isStaticElf(found.path) };
    if (candidate.isStatic) return candidate;
    first ??= candidate;
  }
  return first ?? {};
}

async function probeUserns(): Promise<DoctorFacts['userns']> {
  const max = Number.parseInt((await readText('/proc/sys/user/max_user_namespaces')) ?? '', 10);
  const clone = (await readText('/proc/sys/kernel/unprivileged_userns_clone'))?.trim();
  return {
    maxUserNamespaces: Number.isNaN(max) ? undefined : max,
    unprivilegedUsernsClone: clone === undefined ? undefined : clone !== '0',
  };
}

/**
 * The cgroup mounts, and whether this process may create cgroups where runc
 * would put the limits: below its own cgroup in the v1 memory hierarchy when
 * there is one (v1, hybrid), else in the cgroup2 tree.
 */
async function probeCgroups(): Promise<DoctorFacts['cgroup']> {
  let v2Root: string | undefined;
  const v1Mounts = new Map<string, string>();
  for (const line of ((await readText('/proc/self/mounts')) ?? '').split('\n')) {
    const [, mountPoint = '', type, options = ''] = line.split(' ');
    if (type === 'cgroup2' && (mountPoint === '/sys/fs/cgroup' || mountPoint === '/sys/fs/cgroup/unified')) v2Root = mountPoint;
    if (type === 'cgroup' && mountPoint.startsWith('/sys/fs/cgroup/')) {
      for (const option of options.split(',')) if (V1_CONTROLLERS.has(option)) v1Mounts.set(option, mountPoint);
    }
  }
  const v2Controllers = v2Root ? ((await readText(path.join(v2Root, 'cgroup.controllers'))) ?? '').split(/\s+/).filter(Boolean) : [];
  // /proc/self/cgroup: "hierarchy:controllers:path"; the cgroup2 line has no controllers.
  const own = new Map<string, string>();
  for (const line of ((await readText('/proc/self/cgroup')) ?? '').split('\n')) {
    const [, controllers, cgroupPath] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (cgroupPath !== undefined) for (const c of (controllers ?? '').split(',')) own.set(c, cgroupPath);
  }
  const [controller, mountRoot] = v1Mounts.has('memory')
    ? ['memory', v1Mounts.get('memory')]
    : v1Mounts.size > 0 ? [...v1Mounts.entries()][0]! : ['', v2Root];
  let writable = false;
  if (mountRoot !== undefined) {
    const ownDir = path.join(mountRoot, own.get(controller) ?? '/');
    // Without a cgroup namespace the path may name a cgroup outside this mount: judge the mount root then.
    writable = await exists((await exists(ownDir)) ? ownDir : mountRoot, fsConstants.W_OK);
  }
  return { v2Mounted: v2Root !== undefined, v1Controllers: [...v1Mounts.keys()].sort(), v2Controllers, writable };
}

async function probeRunc(): Promise<Omit<DoctorFacts['runc'], 'runOk' | 'runError'>> {
  const found = await findExecutable('runc');
  if (!found) return {};
  const out = await exec(found.path, ['--version'], { timeout: RUN_TIMEOUT_MS }).then((r) => r.stdout, () => '');
  return { path: found.path, onPath: found.onPath, version: /runc version (\S+)/.exec(out)?.[1] };
}

/** Reads the facts of this machine. Facts it cannot read are left undefined; it never throws for them. */
export async function probeDoctorFacts(): Promise<DoctorFacts> {
  const uid = process.getuid?.() ?? -1;
  const linux = process.platform === 'linux';
  const [osRelease, dockerenv, containerenv, runc, busybox, userns, cgroup] = await Promise.all([
    readText('/etc/os-release').then(async (t) => t ?? (await readText('/usr/lib/os-release'))),
    exists('/.dockerenv'),
    exists('/run/.containerenv'),
    linux ? probeRunc() : Promise.resolve<DoctorFacts['runc']>({}),
    linux ? probeBusybox() : Promise.resolve<DoctorFacts['busybox']>({}),
    linux ? probeUserns() : Promise.resolve<DoctorFacts['userns']>({}),
    linux ? probeCgroups() : Promise.resolve({ v2Mounted: false, v1Controllers: [], v2Controllers: [], writable: false }),
  ]);
  const facts: DoctorFacts = {
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.version,
    uid,
    distro: osRelease ? distroFromOsRelease(osRelease) : 'unknown',
    inContainer: dockerenv || containerenv,
    runc,
    busybox,
    userns,
    cgroup,
  };
  if (runc.path && busybox.path && busybox.isStatic) {
    const result = await tryContainer(runc.path, busybox.path, uid !== 0);
    facts.runc = { ...runc, runOk: result.ok, runError: result.error };
  }
  return facts;
}

const ICONS = { ok: chalk.green('✓'), warn: chalk.yellow('!'), fail: chalk.red('✗') } as const;
const LABEL_WIDTH = 12;

/** The findings as terminal lines: `✓ check  summary`, with each fix indented below its finding. */
export function renderFindings(findings: Finding[]): string {
  return findings
    .map((f) => {
      const line = `  ${ICONS[f.status]} ${f.check.padEnd(LABEL_WIDTH)}${f.summary}\n`;
      const fix = f.status !== 'ok' && f.fix ? `${' '.repeat(LABEL_WIDTH + 4)}${chalk.dim('fix:')} ${chalk.cyan(f.fix)}\n` : '';
      return line + fix;
    })
    .join('');
}

/**
 * Probes this machine, prints the findings and a verdict to `out`. `ok` is
 * false when any finding failed; warnings do not make it false.
 */
export async function runDoctor(out: NodeJS.WritableStream): Promise<{ ok: boolean; findings: Finding[] }> {
  out.write(`${chalk.bold('dockerlings doctor')} ${chalk.dim('— can this machine run containers?')}\n`);
  const facts = await probeDoctorFacts();
  const findings = diagnose(facts);
  out.write(renderFindings(findings));
  const fails = findings.filter((f) => f.status === 'fail').length;
  const warns = findings.filter((f) => f.status === 'warn').length;
  if (fails > 0) {
    out.write(chalk.red(`${fails} problem${fails === 1 ? '' : 's'} to fix: the lessons that run containers cannot pass until then.\n`));
    if (facts.uid !== 0) out.write(chalk.dim('Install commands need root: prefix them with sudo.\n'));
    out.write(chalk.dim('Every fix is explained in lessons/00-welcome/README.md, "If the doctor complains".\n'));
  } else if (warns > 0) {
    out.write(chalk.yellow(`Ready to run containers, with ${warns} warning${warns === 1 ? '' : 's'} (see above).\n`));
  } else {
    out.write(chalk.green('Ready: this machine can run containers.\n'));
  }
  return { ok: fails === 0, findings };
}
