/**
 * Provided: the runtime-spec types lessons 10 and 11 fill in and read.
 *
 * The OCI runtime specification's types: the `config.json` of a bundle
 * (`Spec`) and what a runtime reports about a container (`State`).
 *
 * Field names are the spec's own, as they travel in JSON. Only the Linux
 * parts the workshop uses are listed; see
 * https://github.com/opencontainers/runtime-spec/blob/main/config.md and
 * config-linux.md for the rest.
 */

/** The runtime-spec version the bundles declare (runc 1.1 and crun 1.8 both accept it). */
export const OCI_VERSION = '1.0.2';

/** The whole `config.json`. */
export interface Spec {
  ociVersion: string;
  process?: Process;
  root?: Root;
  hostname?: string;
  mounts?: Mount[];
  annotations?: Record<string, string>;
  linux?: Linux;
}

/** A terminal's size in characters: rows (`height`) and columns (`width`). */
export interface ConsoleSize {
  height: number;
  width: number;
}

/** The container's first process. */
export interface Process {
  terminal?: boolean;
  consoleSize?: ConsoleSize;
  user: User;
  args: string[];
  env?: string[];
  /** Absolute path inside the container. */
  cwd: string;
  capabilities?: LinuxCapabilities;
  rlimits?: POSIXRlimit[];
  noNewPrivileges?: boolean;
  apparmorProfile?: string;
  oomScoreAdj?: number;
  selinuxLabel?: string;
}

/** Who the process runs as, numerically (names are resolved before the runtime sees them). */
export interface User {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

/** The capability sets of the process, each a list like `CAP_CHOWN`. */
export interface LinuxCapabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

/** One resource limit, as setrlimit(2) takes it: `type` is e.g. `RLIMIT_NOFILE`. */
export interface POSIXRlimit {
  type: string;
  hard: number;
  soft: number;
}

/** The root filesystem. `path` is absolute or relative to the bundle. */
export interface Root {
  path: string;
  readonly?: boolean;
}

/** One mount, in the order the runtime performs them. */
export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** The namespace kinds of the spec. */
export type LinuxNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

/** A namespace to create (no `path`) or to join (`path`). */
export interface LinuxNamespace {
  type: LinuxNamespaceType;
  path?: string;
}

/** A user-namespace mapping: ids `containerID…+size` inside are `hostID…+size` outside. */
export interface LinuxIDMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** A device rule of the devices cgroup. */
export interface LinuxDeviceCgroup {
  allow: boolean;
  type?: string;
  major?: number;
  minor?: number;
  access?: string;
}

/** The cgroup limits (config-linux.md "Control groups"). */
export interface LinuxResources {
  devices?: LinuxDeviceCgroup[];
  memory?: { limit?: number; reservation?: number; swap?: number; swappiness?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
}

/** The Linux section of the spec. */
export interface Linux {
  namespaces?: LinuxNamespace[];
  uidMappings?: LinuxIDMapping[];
  gidMappings?: LinuxIDMapping[];
  resources?: LinuxResources;
  cgroupsPath?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  sysctl?: Record<string, string>;
  rootfsPropagation?: string;
}

/** A container's status in the runtime-spec lifecycle. */
export type Status = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/**
 * What `runc state <id>` prints (the runtime-spec "State", plus runc's extra
 * fields, which we ignore). `pid` is the container's init as the host sees it;
 * it is absent or 0 once the container stopped.
 */
export interface State {
  ociVersion: string;
  id: string;
  status: Status;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}
