/**
 * The doctor's vocabulary: what is known about a machine (`DoctorFacts`) and what
 * the learner hears about it (`Finding`). The workshop tool fills `DoctorFacts`
 * from the real host (kata/doctor.ts); lesson 00 writes the rules that turn
 * them into findings (doctor/rules.ts). Provided: this file is not lesson work.
 */

/** Linux distribution families, each with its own package manager. */
export type Distro = 'debian' | 'ubuntu' | 'fedora' | 'rhel' | 'arch' | 'alpine' | 'unknown';

/**
 * What the doctor knows about a machine: whatever decides whether it can run the
 * workshop. (The daemon has its own `HostFacts`, for `/version` and `/info`.)
 * Probed facts that could not be read are undefined.
 */
export interface DoctorFacts {
  /** `process.platform`: `linux`, `darwin`, `win32` … */
  platform: string;
  /** `process.arch`: `x64`, `arm64` … */
  arch: string;
  /** `process.version`, e.g. `v20.20.2`. */
  nodeVersion: string;
  /** The effective user id; 0 is root. */
  uid: number;
  /** The distribution family, from `ID` and `ID_LIKE` in /etc/os-release. */
  distro: Distro;
  /** True when this machine is itself a container (/.dockerenv or /run/.containerenv exists). */
  inContainer: boolean;
  runc: {
    /** Absolute path of the runc binary; undefined when it is not installed. */
    path?: string;
    /** False when runc was found only in an sbin folder that is not on PATH. */
    onPath?: boolean;
    /** The version `runc --version` printed, e.g. `1.1.5`. */
    version?: string;
    /** True: a test container ran `/bin/true`; false: it failed; undefined: it was not tried. */
    runOk?: boolean;
    /** What runc said when the test container failed. */
    runError?: string;
  };
  busybox: {
    /** Absolute path of busybox; undefined when it is not installed. */
    path?: string;
    /** True when the binary needs no dynamic loader (no ELF `PT_INTERP` header). */
    isStatic?: boolean;
  };
  userns: {
    /** /proc/sys/user/max_user_namespaces; undefined when the kernel has no user namespaces. */
    maxUserNamespaces?: number;
    /** /proc/sys/kernel/unprivileged_userns_clone (Debian-family kernels); undefined when absent. */
    unprivilegedUsernsClone?: boolean;
  };
  cgroup: {
    /** A cgroup2 file system is mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified. */
    v2Mounted: boolean;
    /** Controllers with a cgroup v1 hierarchy of their own (`memory`, `pids` …). */
    v1Controllers: string[];
    /** The controllers listed in the cgroup2 root's cgroup.controllers. */
    v2Controllers: string[];
    /** This user may create cgroups where the limits live (root, or a delegated v2 subtree). */
    writable: boolean;
  };
}

/** How serious a finding is: `fail` means some lessons cannot pass until it is fixed. */
export type FindingStatus = 'ok' | 'warn' | 'fail';

/** The doctor's checks, in the order the diagnosis runs them. */
export type Check = 'node' | 'linux' | 'runc' | 'busybox' | 'privileges' | 'cgroups' | 'runc-run';

/** One line of the doctor's report. */
export interface Finding {
  check: Check;
  status: FindingStatus;
  /** One sentence saying what was found. */
  summary: string;
  /** The exact command or step that fixes it; set on every `warn` and `fail`. */
  fix?: string;
}

/** How the cgroup file systems are mounted. */
export type CgroupLayout = 'v1' | 'v2' | 'hybrid' | 'none';
