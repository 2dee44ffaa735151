/**
 * The OCI bundle of a container: the directory runc is pointed at with
 * `--bundle`. Its `config.json` is built here, as docker would build it, from
 * what the daemon resolved for the container.
 *
 * ```
 * <container dir>/bundle/
 * ├── config.json   the runtime-spec Spec (process, root, mounts, linux)
 * └── rootfs/       the container's root filesystem (runtime/rootfs.ts)
 * ```
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { DEFAULT_CAPABILITIES, DEFAULT_RLIMIT_NOFILE, MASKED_PATHS, READONLY_PATHS } from './defaults.js';
import { applyHostConfig, hostModes } from './host-config.js';
import type { ConsoleSize, Linux, LinuxNamespace, LinuxResources, Mount, Spec } from './spec.js';
import { OCI_VERSION } from './spec.js';
import type { ResolvedUser } from './user.js';

/** Everything `buildSpec` needs, resolved beforehand (args, env, user …). */
export interface SpecOptions {
  /** Absolute path of the rootfs directory. */
  rootfs: string;
  args: string[];
  env: string[];
  /** Working directory inside the container; '' means '/'. */
  cwd: string;
  user: ResolvedUser;
  hostname: string;
  terminal: boolean;
  /** With `terminal`: the terminal's size when the process starts (docker's `ConsoleSize`); omitted: none in the spec. */
  consoleSize?: ConsoleSize;
  /** 'none': own network namespace (loopback only); 'host': the host's network, no namespace. */
  networkMode: 'none' | 'host';
  /**
   * Set when the daemon runs unprivileged: the host uid and gid of its user. The container
   * gets a user namespace where container root (0) is that user, no cgroup resources, and
   * /sys bind-mounted from the host (sysfs cannot be mounted there).
   */
  rootless?: { uid: number; gid: number };
  /** cgroup limits, root mode only (rootless gets none); unset or 0: no limit. */
  resources?: {
    /** `--memory`, bytes: memory.limit. */
    memory?: number;
    /** `--pids-limit`: pids.limit. */
    pidsLimit?: number;
    /** `--cpus` in units of 1e-9 CPUs: a CFS quota over {@link CPU_PERIOD}. */
    nanoCpus?: number;
    /** `--memory-reservation`, bytes: memory.reservation (a soft limit). */
    memoryReservation?: number;
    /** `--memory-swap`, bytes of memory + swap: -1 unlimited; 0 or undefined: twice `memory`; else memory.swap. */
    memorySwap?: number;
    /** `--memory-swappiness`, 0–100: memory.swappiness; undefined (or -1): the kernel's. */
    memorySwappiness?: number;
    /** `--oom-kill-disable`: memory.disableOOMKiller. */
    oomKillDisable?: boolean;
    /** `--cpu-shares`: cpu.shares, a relative weight. */
    cpuShares?: number;
    /** `--cpu-quota`, µs per period: cpu.quota (over what nanoCpus set). */
    cpuQuota?: number;
    /** `--cpu-period`, µs: cpu.period (over what nanoCpus set). */
    cpuPeriod?: number;
    /** `--cpuset-cpus`, e.g. '0-2,4': cpu.cpus. */
    cpusetCpus?: string;
    /** `--cpuset-mems`: cpu.mems. */
    cpusetMems?: string;
  };
  /** The cgroup of the container, e.g. '/minidocker/<id>' (root mode only). */
  cgroupsPath?: string;
  /** The host's RLIMIT_NOFILE hard limit (see {@link hostNofileLimit}); undefined: no rlimits in the spec. */
  hostNofileLimit?: number;
  /** `--pid`: 'host' gets no pid namespace, so the host's processes are visible; default 'private'. */
  pidMode?: 'private' | 'host';
  /** `--uts`: 'host' gets no uts namespace, and then no `hostname` (runc refuses one without it); default 'private'. */
  utsMode?: 'private' | 'host';
  /** `--ipc`: 'host' gets no ipc namespace, and /dev/shm binds the host's (rootless: no /dev/mqueue); default 'private'. */
  ipcMode?: 'private' | 'host';
  /** `--cgroupns`: 'private' gets a cgroup namespace; 'host' (default) none. */
  cgroupnsMode?: 'host' | 'private';
  /**
   * `--init`: the host path of a static init (see `findInit` in defaults.ts), bind-mounted
   * read-only at /sbin/docker-init, which runs the command: args become
   * `['/sbin/docker-init', '--', ...args]`. Ignored with pidMode 'host', as docker does.
   */
  init?: string;
  /** `--read-only`: root.readonly. */
  readonlyRootfs?: boolean;
  /** `--security-opt no-new-privileges`: process.noNewPrivileges (default false). */
  noNewPrivileges?: boolean;
  /** `--oom-score-adj`, -1000…1000: process.oomScoreAdj (default 0). */
  oomScoreAdj?: number;
  /** `--shm-size`, bytes: the size of the /dev/shm tmpfs; unset or 0: 64 MiB (size=65536k). */
  shmSize?: number;
  /** HostConfig.MaskedPaths: replace docker's MASKED_PATHS when given ([] masks nothing). */
  maskedPaths?: string[];
  /** HostConfig.ReadonlyPaths: replace docker's READONLY_PATHS when given. */
  readonlyPaths?: string[];
  /** `--ulimit name=soft:hard`: RLIMIT_<NAME> each ('nofile' → RLIMIT_NOFILE, replacing the default one). */
  ulimits?: { name: string; soft: number; hard: number }[];
}

/** The CFS period docker uses with `--cpus` (100 ms, in microseconds). */
export const CPU_PERIOD = 100_000;

/**
 * The runtime-spec `config.json` of a container, with docker's defaults:
 * - `process`: args, env, cwd, the user, docker's 14 capabilities in the bounding,
 *   effective and permitted sets, RLIMIT_NOFILE = min(1048576, hostNofileLimit),
 *   noNewPrivileges false and oomScoreAdj 0 (docker's defaults);
 * - `root`: the rootfs, writable; `hostname`;
 * - `mounts`: /proc, /dev, /dev/pts, /sys, /sys/fs/cgroup (root mode), /dev/mqueue, /dev/shm;
 * - `linux`: pid, ipc, uts and mount namespaces, plus network unless `networkMode` is 'host',
 *   plus user when rootless (with its id mappings); docker's masked and read-only paths;
 *   in root mode the cgroup resources (a deny-all devices rule first, runc adds the
 *   defaults a container needs) and `cgroupsPath`.
 * Memory sets swap to twice the memory, as docker does when `--memory-swap` is not given;
 * nanoCpus becomes a CFS quota over a 100 ms period. Then the HostConfig options: the
 * namespace modes and init ({@link hostModes}), and the rest ({@link applyHostConfig}).
 */
export function buildSpec(options: SpecOptions): Spec {
  const rootless = options.rootless !== undefined;
  const caps = [...DEFAULT_CAPABILITIES];
  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: options.terminal,
      ...(options.terminal && options.consoleSize ? { consoleSize: { ...options.consoleSize } } : {}),
      user: { uid: options.user.uid, gid: options.user.gid, additionalGids: [...options.user.additionalGids] },
      args: [...options.args],
      env: [...options.env],
      cwd: options.cwd === '' ? '/' : options.cwd,
      capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
      noNewPrivileges: false,
      oomScoreAdj: 0,
    },
    root: { path: options.rootfs, readonly: false },
    hostname: options.hostname,
    mounts: mounts(rootless),
    linux: linux(options),
  };
  if (options.hostNofileLimit !== undefined && spec.process) {
    const nofile = Math.min(DEFAULT_RLIMIT_NOFILE, options.hostNofileLimit);
    spec.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: nofile, hard: nofile }];
  }
  hostModes(spec, options);
  applyHostConfig(spec, options);
  return spec;
}

function mounts(rootless: boolean): Mount[] {
  const list: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      // gid 5 (tty) does not exist in a user namespace that maps only the daemon's own ids.
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(rootless ? [] : ['gid=5'])],
    },
  ];
  if (rootless) {
    // A user namespace may not mount sysfs unless it owns the network namespace too: bind the host's.
    list.push({ destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  } else {
    list.push(
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    );
  }
  list.push(
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  );
  return list;
}

function linux(options: SpecOptions): Linux {
  const namespaces: LinuxNamespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (options.networkMode !== 'host') namespaces.push({ type: 'network' });
  const result: Linux = { namespaces, maskedPaths: [...MASKED_PATHS], readonlyPaths: [...READONLY_PATHS] };
  if (options.rootless) {
    namespaces.push({ type: 'user' });
    result.uidMappings = [{ containerID: 0, hostID: options.rootless.uid, size: 1 }];
    result.gidMappings = [{ containerID: 0, hostID: options.rootless.gid, size: 1 }];
    return result;
  }
  result.resources = resources(options.resources ?? {});
  if (options.cgroupsPath !== undefined) result.cgroupsPath = options.cgroupsPath;
  return result;
}

function resources(limits: NonNullable<SpecOptions['resources']>): LinuxResources {
  const result: LinuxResources = { devices: [{ allow: false, access: 'rwm' }] };
  if (limits.memory !== undefined && limits.memory > 0) result.memory = { limit: limits.memory, swap: limits.memory * 2 };
  if (limits.pidsLimit !== undefined && limits.pidsLimit > 0) result.pids = { limit: limits.pidsLimit };
  if (limits.nanoCpus !== undefined && limits.nanoCpus > 0) {
    result.cpu = { quota: Math.round((limits.nanoCpus * CPU_PERIOD) / 1e9), period: CPU_PERIOD };
  }
  return result;
}

/**
 * Writes `<bundleDir>/config.json` atomically (a temp file renamed over it),
 * so a runtime never reads half a spec. The directory must exist.
 * @throws the file system's error (ENOENT for a missing directory …).
 */
export async function writeBundle(bundleDir: string, spec: Spec): Promise<void> {
  await writeFileAtomic(path.join(bundleDir, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`);
}

/**
 * The hard RLIMIT_NOFILE of this process, read from /proc/self/limits: what
 * `SpecOptions.hostNofileLimit` expects. Undefined when the file cannot be read
 * or says "unlimited".
 */
export function hostNofileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const hard = line?.slice('Max open files'.length).trim().split(/\s+/)[1];
    return hard !== undefined && /^\d+$/.test(hard) ? Number(hard) : undefined;
  } catch {
    return undefined;
  }
}
