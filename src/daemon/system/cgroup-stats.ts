/**
 * Provided: a container's resource counters, read from its cgroup the way
 * dockerd reads them (through containerd) for `GET /containers/{id}/stats`.
 * Reading a dozen kernel files in two layouts teaches nothing new; lesson 13
 * puts the numbers into docker's answer (containers/container-processes.ts).
 *
 * A root daemon's container has the cgroup `/minidocker/<id>` (the bundle's
 * `linux.cgroupsPath`); a rootless one has none.
 *
 * ```
 * cgroup v1 (one hierarchy per controller)           cgroup v2 (one unified hierarchy)
 * /sys/fs/cgroup/memory/minidocker/<id>/             /sys/fs/cgroup/minidocker/<id>/
 *   memory.usage_in_bytes   memory.stat                memory.current  memory.max  memory.stat  memory.events
 *   memory.max_usage_in_bytes  memory.failcnt
 * /sys/fs/cgroup/cpuacct/…/cpuacct.usage  .usage_percpu  .stat (ticks)
 * /sys/fs/cgroup/cpu/…/cpu.stat (throttling)           cpu.stat (usage_usec, user_usec, system_usec, nr_*)
 * /sys/fs/cgroup/pids/…/pids.current  pids.max          pids.current  pids.max
 * /sys/fs/cgroup/blkio/…/blkio.throttle.io_service_bytes_recursive   io.stat
 * /proc/stat: the host's CPU time (the cpu line, in ticks) and its CPUs (the cpuN lines)
 * ```
 * A hybrid host (v1 controllers beside a v2 hierarchy) is read as v1, as
 * runc places the container there. A file that cannot be read counts as 0.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { BlkioStatEntry, BlkioStats, ContainerStatsResponse, CpuStats, CpuUsage, MemoryStats, PidsStats, ThrottlingData } from '../../api/processes.js';

/** Go's zero `time.Time`, as a container that does not run reports `read`. */
export const ZERO_READ = '0001-01-01T00:00:00Z';

/** Linux's USER_HZ: the unit of /proc/stat and cpuacct.stat (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

const NS_PER_SECOND = 1e9;

/** What one read of a container's cgroup gives, in docker's fields. */
export interface CgroupStats {
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  cpu_usage: CpuUsage;
  throttling_data: ThrottlingData;
  memory_stats: MemoryStats;
}

/** The host's side of a CPU reading. */
export interface SystemCpu {
  /** CPU time since boot in nanoseconds: the sum of /proc/stat's `cpu` line (user … softirq) × 1e9 / USER_HZ. */
  system_cpu_usage: number;
  /** The `cpuN` lines of /proc/stat. */
  online_cpus: number;
}

/** Block I/O counters with nothing in them (Go's nil slices). */
export function emptyBlkioStats(): BlkioStats {
  return {
    io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
    io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
  };
}

/** A CPU reading of zeros: `precpu_stats` of a first sample. */
export function emptyCpuStats(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/**
 * What docker answers for a container that does not run (or has no cgroup to
 * read): zeros, and Go's zero time for `read` and `preread`, with the name and id.
 */
export function emptyStats(name: string, id: string): ContainerStatsResponse {
  return {
    read: ZERO_READ, preread: ZERO_READ, pids_stats: {}, blkio_stats: emptyBlkioStats(), num_procs: 0, storage_stats: {},
    cpu_stats: emptyCpuStats(), precpu_stats: emptyCpuStats(), memory_stats: {}, name, id,
  };
}

/**
 * The container's cgroup as its bundle names it (`linux.cgroupsPath` of
 * `<bundle>/config.json`, e.g. `/minidocker/<id>`), or undefined when it has
 * none (a rootless container) or the bundle cannot be read.
 */
export async function cgroupsPathOf(bundle: string): Promise<string | undefined> {
  try {
    const spec = JSON.parse(await fs.readFile(path.join(bundle, 'config.json'), 'utf8')) as { linux?: { cgroupsPath?: unknown } };
    const cgroupsPath = spec.linux?.cgroupsPath;
    return typeof cgroupsPath === 'string' && cgroupsPath !== '' ? cgroupsPath : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a container's counters from its cgroup (v1 or v2, whichever the host
 * runs containers in). A memory limit above the host's memory (none set)
 * is reported as the host's total, as docker does.
 * @param cgroupsPath the bundle's `linux.cgroupsPath`, e.g. `/minidocker/<id>`.
 * @param machineMemory the host's memory in bytes (`MemTotal`).
 */
export async function readCgroupStats(cgroupsPath: string, machineMemory: number = os.totalmem()): Promise<CgroupStats> {
  const unified = await fs.access('/sys/fs/cgroup/cgroup.controllers').then(() => true, () => false);
  return unified ? readV2(path.join('/sys/fs/cgroup', cgroupsPath), machineMemory) : readV1(cgroupsPath, machineMemory);
}

/** The host's CPU time and CPUs from /proc/stat, read the way dockerd's stats collector reads them. */
export async function readSystemCpu(): Promise<SystemCpu> {
  let ticks = 0;
  let cpus = 0;
  for (const line of (await readText('/proc/stat')).split('\n')) {
    const [name = '', ...fields] = line.trim().split(/\s+/);
    if (name === 'cpu') ticks = fields.slice(0, 7).reduce((sum, field) => sum + (Number(field) || 0), 0);
    else if (/^cpu\d+$/.test(name)) cpus++;
  }
  return { system_cpu_usage: Math.round((ticks * NS_PER_SECOND) / CLOCK_TICKS), online_cpus: cpus };
}

async function readV1(cgroupsPath: string, machineMemory: number): Promise<CgroupStats> {
  const mounts = await v1Mounts();
  const dir = (controller: string) => path.join(mounts.get(controller) ?? path.join('/sys/fs/cgroup', controller), cgroupsPath);
  const [memory, cpuacct, cpu, pids, blkio] = ['memory', 'cpuacct', 'cpu', 'pids', 'blkio'].map(dir) as [string, string, string, string, string];
  const [stat, usage, maxUsage, failcnt, limit, total, percpu, cpuacctStat, cpuStat, pidsCurrent, pidsMax, ioBytes] = await Promise.all([
    readKeyValues(path.join(memory, 'memory.stat')),
    readNumber(path.join(memory, 'memory.usage_in_bytes')),
    readNumber(path.join(memory, 'memory.max_usage_in_bytes')),
    readNumber(path.join(memory, 'memory.failcnt')),
    readNumber(path.join(memory, 'memory.limit_in_bytes')),
    readNumber(path.join(cpuacct, 'cpuacct.usage')),
    readText(path.join(cpuacct, 'cpuacct.usage_percpu')),
    readKeyValues(path.join(cpuacct, 'cpuacct.stat')),
    readKeyValues(path.join(cpu, 'cpu.stat')),
    readNumber(path.join(pids, 'pids.current')),
    readNumber(path.join(pids, 'pids.max')),
    readText(path.join(blkio, 'blkio.throttle.io_service_bytes_recursive')),
  ]);
  const ticksToNs = (ticks: number | undefined) => Math.round(((ticks ?? 0) * NS_PER_SECOND) / CLOCK_TICKS);
  const percpuUsage = percpu.trim().split(/\s+/).filter(Boolean).map(Number);
  return {
    pids_stats: pidsStats(pidsCurrent, pidsMax),
    blkio_stats: { ...emptyBlkioStats(), io_service_bytes_recursive: blkioV1(ioBytes) },
    cpu_usage: {
      total_usage: total ?? 0,
      ...(percpuUsage.length > 0 ? { percpu_usage: percpuUsage } : {}),
      usage_in_kernelmode: ticksToNs(cpuacctStat.system),
      usage_in_usermode: ticksToNs(cpuacctStat.user),
    },
    throttling_data: { periods: cpuStat.nr_periods ?? 0, throttled_periods: cpuStat.nr_throttled ?? 0, throttled_time: cpuStat.throttled_time ?? 0 },
    memory_stats: memoryStats({
      usage, max_usage: maxUsage, failcnt, stats: stat, limit: Math.min(stat.hierarchical_memory_limit ?? limit ?? Infinity, machineMemory),
    }),
  };
}

async function readV2(dir: string, machineMemory: number): Promise<CgroupStats> {
  const file = (name: string) => path.join(dir, name);
  const [stat, usage, limit, events, cpuStat, pidsCurrent, pidsMax, ioStat] = await Promise.all([
    readKeyValues(file('memory.stat')),
    readNumber(file('memory.current')),
    readNumber(file('memory.max')),
    readKeyValues(file('memory.events')),
    readKeyValues(file('cpu.stat')),
    readNumber(file('pids.current')),
    readNumber(file('pids.max')),
    readText(file('io.stat')),
  ]);
  const usToNs = (us: number | undefined) => (us ?? 0) * 1000;
  return {
    pids_stats: pidsStats(pidsCurrent, pidsMax),
    blkio_stats: { ...emptyBlkioStats(), io_service_bytes_recursive: blkioV2(ioStat) },
    cpu_usage: { total_usage: usToNs(cpuStat.usage_usec), usage_in_kernelmode: usToNs(cpuStat.system_usec), usage_in_usermode: usToNs(cpuStat.user_usec) },
    throttling_data: { periods: cpuStat.nr_periods ?? 0, throttled_periods: cpuStat.nr_throttled ?? 0, throttled_time: usToNs(cpuStat.throttled_usec) },
    memory_stats: memoryStats({ usage, failcnt: events.oom, stats: stat, limit: Math.min(limit ?? Infinity, machineMemory) }),
  };
}

// Go's omitempty: a zero field is left out.
function memoryStats(fields: { usage?: number; max_usage?: number; failcnt?: number; stats: Record<string, number>; limit: number }): MemoryStats {
  const out: MemoryStats = {};
  if (fields.usage) out.usage = fields.usage;
  if (fields.max_usage) out.max_usage = fields.max_usage;
  if (Object.keys(fields.stats).length > 0) out.stats = fields.stats;
  if (fields.failcnt) out.failcnt = fields.failcnt;
  if (fields.limit && Number.isFinite(fields.limit)) out.limit = fields.limit;
  return out;
}

function pidsStats(current: number | undefined, max: number | undefined): PidsStats {
  return { ...(current ? { current } : {}), ...(max ? { limit: max } : {}) };
}

// `8:0 Read 4096` lines (the last, `Total N`, has no device).
function blkioV1(text: string): BlkioStatEntry[] {
  const entries: BlkioStatEntry[] = [];
  for (const line of text.split('\n')) {
    const [device = '', op, value] = line.trim().split(/\s+/);
    const [major, minor] = device.split(':').map(Number);
    if (op === undefined || value === undefined || major === undefined || minor === undefined || Number.isNaN(minor)) continue;
    entries.push({ major, minor, op, value: Number(value) });
  }
  return entries;
}

// `8:0 rbytes=1 wbytes=2 rios=3 wios=4 …` lines: docker reports bytes read and written.
function blkioV2(text: string): BlkioStatEntry[] {
  const entries: BlkioStatEntry[] = [];
  for (const line of text.split('\n')) {
    const [device = '', ...pairs] = line.trim().split(/\s+/);
    const [major, minor] = device.split(':').map(Number);
    if (major === undefined || minor === undefined || Number.isNaN(minor)) continue;
    const values = Object.fromEntries(pairs.map((pair) => pair.split('=')).map(([k, v]) => [k, Number(v)]));
    entries.push({ major, minor, op: 'read', value: values.rbytes ?? 0 }, { major, minor, op: 'write', value: values.wbytes ?? 0 });
  }
  return entries;
}

// Where each v1 controller's hierarchy is mounted (`cpu` and `cpuacct` may share one).
async function v1Mounts(): Promise<Map<string, string>> {
  const mounts = new Map<string, string>();
  for (const line of (await readText('/proc/self/mountinfo')).split('\n')) {
    const [before, after] = line.split(' - ');
    const [fstype, , superOptions = ''] = (after ?? '').split(' ');
    const mountPoint = before?.split(' ')[4];
    if (fstype !== 'cgroup' || mountPoint === undefined) continue;
    for (const option of superOptions.split(',')) if (!mounts.has(option)) mounts.set(option, mountPoint);
  }
  return mounts;
}

async function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8').catch(() => '');
}

// A number file; `max` (no limit) and a missing file are undefined.
async function readNumber(file: string): Promise<number | undefined> {
  const text = (await readText(file)).trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

// `key value` lines (memory.stat, cpu.stat, cpuacct.stat, memory.events).
async function readKeyValues(file: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await readText(file)).split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}
