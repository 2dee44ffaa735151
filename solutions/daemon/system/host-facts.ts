/**
 * Facts about the machine the daemon runs on, for `GET /version` and `GET /info`.
 *
 * Provided code: lesson 03 turns these facts into Docker's JSON shapes; reading
 * them from `/proc`, `/sys` and `/etc` is not the point of the lesson. Every
 * probe degrades to a safe value (empty string, false, '1') when a file is
 * missing, so the daemon starts on any Linux.
 */
import { access, readFile } from 'node:fs/promises';
import os from 'node:os';
import { isRoot } from '../../config.js';

/** What the kernel and the cgroup hierarchy let the daemon limit. */
export interface CgroupCapabilities {
  memoryLimit: boolean;
  swapLimit: boolean;
  oomKillDisable: boolean;
  cpuCfsQuota: boolean;
  cpuCfsPeriod: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
}

/** One snapshot of the host, taken per request (the probes are cheap file reads). */
export interface HostFacts {
  /** `os.hostname()`. */
  hostname: string;
  /** Logical CPUs, `os.cpus().length`. */
  ncpu: number;
  /** Total memory in bytes, `os.totalmem()`. */
  memTotal: number;
  /** `uname -r`, e.g. `6.1.0-18-amd64`. */
  kernelVersion: string;
  /** `PRETTY_NAME` from /etc/os-release, e.g. `Debian GNU/Linux 12 (bookworm)`; `Linux` when missing. */
  operatingSystem: string;
  /** `uname -m`, e.g. `x86_64`: what `docker info` shows as Architecture. */
  machine: string;
  /** The Go name of the CPU architecture, e.g. `amd64`: what `docker version` shows as Arch. */
  goArch: string;
  /** `2` on a unified (cgroup v2) hierarchy, else `1`. */
  cgroupVersion: '1' | '2';
  cgroups: CgroupCapabilities;
  /** `/proc/sys/net/ipv4/ip_forward` is 1. */
  ipv4Forwarding: boolean;
  /** `/proc/sys/net/bridge/bridge-nf-call-iptables` is 1 (false when br_netfilter is not loaded). */
  bridgeNfIptables: boolean;
  /** `/proc/sys/net/bridge/bridge-nf-call-ip6tables` is 1. */
  bridgeNfIp6tables: boolean;
  /** The runtime the daemon is written in, e.g. `node v20.20.2` (dockerd reports its Go version here). */
  runtimeVersion: string;
  /** The daemon runs without root (uid ≠ 0): containers get a user namespace and no cgroup resources. */
  rootless: boolean;
}

const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
};

/** Node's `process.arch` in Go's spelling (`x64` → `amd64`); unknown names pass through. */
export function goArch(arch: string = process.arch): string {
  return GO_ARCH[arch] ?? arch;
}

/**
 * The numeric id of a group named in /etc/group, or undefined when there is
 * no such group. A number (`--group 998`) is taken as a gid as it is.
 */
export async function lookupGroupId(name: string): Promise<number | undefined> {
  if (/^\d+$/.test(name)) return Number(name);
  const groups = await readText('/etc/group');
  for (const line of groups.split('\n')) {
    const [groupName, , gid] = line.split(':');
    if (groupName === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return undefined;
}

/** Takes a {@link HostFacts} snapshot. Never throws. */
export async function probeHost(): Promise<HostFacts> {
  const [osRelease, unified, cgroups, ipForward, nfIptables, nfIp6tables] = await Promise.all([
    readText('/etc/os-release'),
    exists('/sys/fs/cgroup/cgroup.controllers'),
    probeCgroups(),
    readText('/proc/sys/net/ipv4/ip_forward'),
    readText('/proc/sys/net/bridge/bridge-nf-call-iptables'),
    readText('/proc/sys/net/bridge/bridge-nf-call-ip6tables'),
  ]);
  const pretty = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(osRelease);
  return {
    hostname: os.hostname(),
    ncpu: os.cpus().length,
    memTotal: os.totalmem(),
    kernelVersion: os.release(),
    operatingSystem: pretty?.[1] ?? pretty?.[2] ?? 'Linux',
    machine: os.machine(),
    goArch: goArch(),
    cgroupVersion: unified ? '2' : '1',
    cgroups,
    ipv4Forwarding: ipForward.trim() === '1',
    bridgeNfIptables: nfIptables.trim() === '1',
    bridgeNfIp6tables: nfIp6tables.trim() === '1',
    runtimeVersion: `node ${process.version}`,
    rootless: !isRoot(),
  };
}

async function probeCgroups(): Promise<CgroupCapabilities> {
  const root = '/sys/fs/cgroup';
  const controllers = await readText(`${root}/cgroup.controllers`);
  if (controllers !== '') {
    // cgroup v2: a controller listed at the root can be delegated to containers.
    const has = (c: string) => controllers.split(/\s+/).includes(c);
    return {
      memoryLimit: has('memory'),
      swapLimit: has('memory'),
      oomKillDisable: false, // not a cgroup v2 feature; the docker CLI does not warn about it on v2
      cpuCfsQuota: has('cpu'),
      cpuCfsPeriod: has('cpu'),
      cpuShares: has('cpu'),
      cpuSet: has('cpuset'),
      pidsLimit: has('pids'),
    };
  }
  // cgroup v1: one hierarchy per controller, each knob a file.
  const [memoryLimit, swapLimit, oomKillDisable, cpuCfsQuota, cpuCfsPeriod, cpuShares, cpuSet, pidsLimit] =
    await Promise.all([
      exists(`${root}/memory/memory.limit_in_bytes`),
      exists(`${root}/memory/memory.memsw.limit_in_bytes`),
      exists(`${root}/memory/memory.oom_control`),
      exists(`${root}/cpu/cpu.cfs_quota_us`),
      exists(`${root}/cpu/cpu.cfs_period_us`),
      exists(`${root}/cpu/cpu.shares`),
      exists(`${root}/cpuset/cpuset.cpus`),
      exists(`${root}/pids/cgroup.procs`), // the root has no pids.max; the hierarchy is enough
    ]);
  return { memoryLimit, swapLimit, oomKillDisable, cpuCfsQuota, cpuCfsPeriod, cpuShares, cpuSet, pidsLimit };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The warnings dockerd itself would put in `/info`'s `Warnings` for missing
 * cgroup features (minidocker has no bridge network, so the bridge and
 * forwarding warnings do not apply). Empty when the host supports everything.
 */
export function cgroupWarnings(facts: HostFacts): string[] {
  const c = facts.cgroups;
  const missing: Array<[boolean, string]> = [
    [c.memoryLimit, 'No memory limit support'],
    [c.swapLimit, 'No swap limit support'],
    [c.oomKillDisable || facts.cgroupVersion === '2', 'No oom kill disable support'],
    [c.cpuCfsQuota, 'No cpu cfs quota support'],
    [c.cpuCfsPeriod, 'No cpu cfs period support'],
    [c.cpuShares, 'No cpu shares support'],
    [c.cpuSet, 'No cpuset support'],
    [c.pidsLimit, 'No pids limit support'],
  ];
  return missing.filter(([ok]) => !ok).map(([, text]) => `WARNING: ${text}`);
}
