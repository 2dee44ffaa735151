/**
 * The `docker run` flags of a container's HostConfig, applied to a spec that
 * `buildSpec` made with docker's defaults. dockerd builds its spec the same
 * way: its default spec, then one option after the other, each changing a
 * part of it (moby's `WithNamespaces`, `WithMounts`, `WithResources` …).
 *
 * ```
 * --pid host, --ipc host, --uts host   linux.namespaces without pid / ipc / uts   (hostModes)
 * --cgroupns private                   linux.namespaces + cgroup                   (hostModes)
 * --init                               args /sbin/docker-init -- …, a bind mount   (hostModes)
 * --read-only, --ulimit, --shm-size …  root, process, mounts, linux               (applyHostConfig)
 * ```
 */
import { CONTAINER_INIT_PATH } from './defaults.js';
import type { LinuxNamespaceType, LinuxResources, Mount, POSIXRlimit, Spec } from './spec.js';
import type { SpecOptions } from './bundle.js';

/**
 * docker's namespace modes and `--init` (moby's `WithNamespaces`, and its init
 * wrapper in `withCommonOptions`):
 * - `pidMode`, `ipcMode`, `utsMode` 'host': no pid, ipc or uts namespace, so the
 *   container shares the host's; with `utsMode` 'host' the spec has no `hostname`
 *   either (runc refuses to set one without a uts namespace);
 * - `cgroupnsMode` 'private': a cgroup namespace;
 * - `init`, when the container has its own pid namespace (docker ignores `--init`
 *   with `--pid host`): args become `['/sbin/docker-init', '--', ...args]`, and the
 *   host's init is bind-mounted read-only at /sbin/docker-init.
 * Options left out change nothing.
 */
export function hostModes(spec: Spec, options: SpecOptions): void {
  const shared = new Set<LinuxNamespaceType>();
  if (options.pidMode === 'host') shared.add('pid');
  if (options.ipcMode === 'host') shared.add('ipc');
  if (options.utsMode === 'host') {
    shared.add('uts');
    delete spec.hostname;
  }
  const linux = (spec.linux ??= {});
  linux.namespaces = (linux.namespaces ?? []).filter((ns) => !shared.has(ns.type));
  if (options.cgroupnsMode === 'private') linux.namespaces.push({ type: 'cgroup' });
  if (options.init !== undefined && options.pidMode !== 'host' && spec.process) {
    spec.process.args = [CONTAINER_INIT_PATH, '--', ...spec.process.args];
    (spec.mounts ??= []).push({ destination: CONTAINER_INIT_PATH, type: 'bind', source: options.init, options: ['bind', 'ro'] });
  }
}

/**
 * Everything else of the HostConfig, as docker applies it:
 * - `process`: `additionalGids` without duplicates (first kept), `noNewPrivileges`,
 *   `oomScoreAdj`, and each `ulimits` entry as `RLIMIT_<NAME>` (one for nofile
 *   replaces the default open-files limit);
 * - `root.readonly` from `readonlyRootfs`;
 * - `mounts`: /dev/shm sized by `shmSize`; with `ipcMode` 'host' the host's /dev/shm
 *   bind-mounted instead. /dev/mqueue stays: as root runc mounts the mqueue of the ipc
 *   namespace it is in, the host's. Rootless it goes: a user namespace may not mount
 *   that one, and rootless docker's bind of the host's /dev/mqueue fails on hosts that
 *   have none mounted (message queues work without it, it only lists them);
 *   rootless with `pidMode` 'host', the host's /proc bind-mounted and no read-only
 *   paths under /proc (as rootless docker does: procfs cannot be mounted there);
 * - `linux`: `maskedPaths` and `readonlyPaths` replace docker's when given; in root
 *   mode the memory and CPU limits `resources()` leaves to it.
 */
export function applyHostConfig(spec: Spec, options: SpecOptions): void {
  const { process: proc, root, linux } = spec;
  if (proc) {
    proc.user.additionalGids = [...new Set(proc.user.additionalGids ?? [])];
    if (options.noNewPrivileges !== undefined) proc.noNewPrivileges = options.noNewPrivileges;
    if (options.oomScoreAdj !== undefined) proc.oomScoreAdj = options.oomScoreAdj;
    if (options.ulimits !== undefined && options.ulimits.length > 0) proc.rlimits = withUlimits(proc.rlimits ?? [], options.ulimits);
  }
  if (root && options.readonlyRootfs !== undefined) root.readonly = options.readonlyRootfs;
  spec.mounts = (spec.mounts ?? []).flatMap((m) => hostMount(m, options));
  if (linux) {
    if (options.maskedPaths) linux.maskedPaths = [...options.maskedPaths];
    if (options.readonlyPaths) linux.readonlyPaths = [...options.readonlyPaths];
    if (options.rootless && options.pidMode === 'host') linux.readonlyPaths = (linux.readonlyPaths ?? []).filter((p) => !p.startsWith('/proc/'));
    if (linux.resources && options.resources) moreLimits(linux.resources, options.resources);
  }
}

/** The default rlimits with docker's `--ulimit` entries set over them, by type, in order. */
function withUlimits(defaults: POSIXRlimit[], ulimits: NonNullable<SpecOptions['ulimits']>): POSIXRlimit[] {
  const byType = new Map(defaults.map((r) => [r.type, r]));
  for (const { name, soft, hard } of ulimits) {
    const type = `RLIMIT_${name.toUpperCase()}`;
    byType.set(type, { type, soft, hard });
  }
  return [...byType.values()];
}

/** One of docker's default mounts, changed (or gone: []) as `shmSize`, `ipcMode` and `pidMode` ask. */
function hostMount(m: Mount, options: SpecOptions): Mount | [] {
  const rootless = options.rootless !== undefined;
  if (m.destination === '/dev/shm' && options.ipcMode === 'host') return hostBind('/dev/shm');
  if (m.destination === '/dev/mqueue' && options.ipcMode === 'host' && rootless) return [];
  if (m.destination === '/proc' && options.pidMode === 'host' && rootless) return hostBind('/proc');
  if (m.destination === '/dev/shm' && options.shmSize !== undefined && options.shmSize > 0) {
    const size = options.shmSize % 1024 === 0 ? `size=${options.shmSize / 1024}k` : `size=${options.shmSize}`;
    return { ...m, options: [...(m.options ?? []).filter((o) => !o.startsWith('size=')), size] };
  }
  return m;
}

function hostBind(hostPath: string): Mount {
  return { destination: hostPath, type: 'bind', source: hostPath, options: ['rbind', 'nosuid', 'noexec', 'nodev'] };
}

/**
 * docker's memory and CPU flags beyond `--memory` and `--cpus` (moby's
 * `getMemoryResources`, `getCPUResources`): unset or 0 leaves a field alone;
 * `memorySwap` -1 means unlimited swap (no `memory.swap`), `memorySwappiness` -1
 * the kernel's; `oomKillDisable` false is the kernel's default too; `cpuQuota` and
 * `cpuPeriod` override what `nanoCpus` set.
 */
function moreLimits(r: LinuxResources, limits: NonNullable<SpecOptions['resources']>): void {
  const memory = { ...r.memory };
  if (limits.memoryReservation !== undefined && limits.memoryReservation > 0) memory.reservation = limits.memoryReservation;
  if (limits.memorySwap === -1) delete memory.swap;
  else if (limits.memorySwap !== undefined && limits.memorySwap > 0) memory.swap = limits.memorySwap;
  if (limits.memorySwappiness !== undefined && limits.memorySwappiness >= 0) memory.swappiness = limits.memorySwappiness;
  if (limits.oomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) r.memory = memory;
  else delete r.memory;

  const cpu = { ...r.cpu };
  if (limits.cpuShares !== undefined && limits.cpuShares > 0) cpu.shares = limits.cpuShares;
  if (limits.cpuPeriod !== undefined && limits.cpuPeriod > 0) cpu.period = limits.cpuPeriod;
  if (limits.cpuQuota !== undefined && limits.cpuQuota !== 0) cpu.quota = limits.cpuQuota;
  if (limits.cpusetCpus) cpu.cpus = limits.cpusetCpus;
  if (limits.cpusetMems) cpu.mems = limits.cpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
}
