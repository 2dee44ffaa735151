/**
 * Provided: docker's `HostConfig`, field by field — what inspect echoes, what
 * this daemon applies, and what it refuses. Going through the eighty fields
 * of docker's HostConfig teaches nothing new about containers, but getting
 * them wrong breaks clients (they read fields back and crash when one is
 * missing) and misleads users (an option accepted and ignored is a lie), so
 * it is written once here and lesson 12's create uses it.
 *
 * ```
 * HostConfig as sent ─▶ hostConfigOf ─▶ refused? 400 naming the flag and the field
 *                                    ─▶ HostConfigRecord: docker's defaults filled in (inspect)
 *                                    ─▶ specOptionsOf ─▶ what buildSpec applies (namespaces, init, limits …)
 * ```
 * Every field is one of: applied (its value changes the container), echoed
 * (it only describes, e.g. ContainerIDFile, which the client itself writes),
 * or refused unless it has its default value.
 */
import net from 'node:net';
import os from 'node:os';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import type { HealthConfig, ImageConfig } from '../../image/types.js';
import { MASKED_PATHS, READONLY_PATHS } from '../../runtime/defaults.js';
import { isLoopback } from '../../runtime/host-ports.js';
import type { PortMapping } from '../../runtime/host-ports.js';
import type { SpecOptions } from '../../runtime/bundle.js';
import type { ContainerCreateBody, HostConfigBody, MountSpec } from '../routes/container-requests.js';
import { LEGACY_LINKS, parseSignal } from '../routes/container-requests.js';
import { parseExtraHosts } from '../network/network-attachment.js';
import { logConfigOf } from './log-config.js';
import type { LogConfig } from './log-config.js';

/** What the daemon's host and command line decide about every container. */
export interface DaemonFacts {
  /** The daemon runs without root: no cgroups, no host namespaces. */
  rootless: boolean;
  /** The runtime's name as containers and `/info` show it (`runc`, `crun`). */
  runtime: string;
  /** The host path of docker-init (a static tini) for `--init`; undefined: none on this host. */
  initPath: string | undefined;
}

/** The warning a rootless daemon gives when asked for resource limits it cannot set. */
export const ROOTLESS_LIMITS_WARNING =
  'This daemon runs without root, so it cannot use cgroups: memory, pids and CPU limits were discarded.';

/** The warning docker gives when ports are published with `--network host`: nothing is published then. */
export const HOST_NETWORK_PORTS_WARNING = 'Published ports are discarded when using host network mode';

/** docker's default `/dev/shm` size: 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** `HostConfig` as the record keeps it and inspect shows it: every field, docker's defaults filled in. */
export interface HostConfigRecord {
  Binds: string[] | null;
  /** `--mount`, as given; absent when none (docker omits it then). */
  Mounts?: MountSpec[];
  /** `--tmpfs`, as given; absent when none. */
  Tmpfs?: Record<string, string>;
  ContainerIDFile: string;
  LogConfig: LogConfig;
  NetworkMode: string;
  PortBindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  RestartPolicy: { Name: string; MaximumRetryCount: number };
  AutoRemove: boolean;
  VolumeDriver: string;
  VolumesFrom: string[] | null;
  /** `[rows, columns]` a Tty starts with; `[0, 0]`: none given. */
  ConsoleSize: [number, number];
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  CgroupnsMode: string;
  Dns: string[] | null;
  DnsOptions: string[] | null;
  DnsSearch: string[] | null;
  ExtraHosts: string[] | null;
  GroupAdd: string[] | null;
  IpcMode: string;
  Cgroup: string;
  Links: string[] | null;
  OomScoreAdj: number;
  PidMode: string;
  Privileged: boolean;
  PublishAllPorts: boolean;
  ReadonlyRootfs: boolean;
  SecurityOpt: string[] | null;
  UTSMode: string;
  UsernsMode: string;
  ShmSize: number;
  Runtime: string;
  Isolation: string;
  CpuShares: number;
  Memory: number;
  NanoCpus: number;
  CgroupParent: string;
  BlkioWeight: number;
  BlkioWeightDevice: unknown[] | null;
  BlkioDeviceReadBps: unknown[] | null;
  BlkioDeviceWriteBps: unknown[] | null;
  BlkioDeviceReadIOps: unknown[] | null;
  BlkioDeviceWriteIOps: unknown[] | null;
  CpuPeriod: number;
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  CpusetCpus: string;
  CpusetMems: string;
  Devices: unknown[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: unknown[] | null;
  MemoryReservation: number;
  MemorySwap: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean;
  PidsLimit: number | null;
  Ulimits: Array<{ Name: string; Soft: number; Hard: number }> | null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
  MaskedPaths: string[];
  ReadonlyPaths: string[];
  /** Absent unless given, as docker omits it. */
  Init?: boolean;
}

/** inspect's HostConfig of a container created with an empty HostConfig: docker's defaults. */
export function defaultHostConfig(runtime: string): HostConfigRecord {
  return {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'json-file', Config: {} }, NetworkMode: 'default', PortBindings: null,
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [0, 0],
    CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: null, DnsOptions: null, DnsSearch: null, ExtraHosts: null, GroupAdd: null,
    IpcMode: 'private', Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false,
    ReadonlyRootfs: false, SecurityOpt: null, UTSMode: '', UsernsMode: '', ShmSize: DEFAULT_SHM_SIZE, Runtime: runtime, Isolation: '',
    CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: null, BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null, BlkioDeviceReadIOps: null, BlkioDeviceWriteIOps: null, CpuPeriod: 0, CpuQuota: 0,
    CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: null, DeviceCgroupRules: null,
    DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: false, PidsLimit: null,
    Ulimits: null, CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0,
    MaskedPaths: [...MASKED_PATHS], ReadonlyPaths: [...READONLY_PATHS],
  };
}

type Field = keyof HostConfigBody;

// Fields this daemon cannot honour yet: refused unless empty, zero or false. The flag comes first,
// so a CLI user recognises it; the field, so an SDK user does.
const REFUSED: ReadonlyArray<[Field, string, string]> = [
  ['VolumesFrom', '--volumes-from', "a container's mounts are its own"],
  ['VolumeDriver', '--volume-driver', 'volumes use the local driver'],
  ['CapAdd', '--cap-add', "containers keep docker's default capabilities"],
  ['CapDrop', '--cap-drop', "containers keep docker's default capabilities"],
  ['Privileged', '--privileged', 'privileged containers are not supported'],
  ['Devices', '--device', 'host devices are not passed to containers'],
  ['DeviceCgroupRules', '--device-cgroup-rule', 'host devices are not passed to containers'],
  ['DeviceRequests', '--gpus', 'host devices are not passed to containers'],
  ['Sysctls', '--sysctl', 'sysctls are not set'],
  ['StorageOpt', '--storage-opt', 'the storage driver takes no options'],
  ['Annotations', '--annotation', 'annotations are not passed to the runtime'],
  ['Cgroup', '--cgroup', 'containers cannot share a cgroup'],
  ['CgroupParent', '--cgroup-parent', 'containers live under /minidocker'],
  ['BlkioWeight', '--blkio-weight', 'block IO is not limited'],
  ['BlkioWeightDevice', '--blkio-weight-device', 'block IO is not limited'],
  ['BlkioDeviceReadBps', '--device-read-bps', 'block IO is not limited'],
  ['BlkioDeviceWriteBps', '--device-write-bps', 'block IO is not limited'],
  ['BlkioDeviceReadIOps', '--device-read-iops', 'block IO is not limited'],
  ['BlkioDeviceWriteIOps', '--device-write-iops', 'block IO is not limited'],
  ['CpuRealtimePeriod', '--cpu-rt-period', 'real-time scheduling is not set'],
  ['CpuRealtimeRuntime', '--cpu-rt-runtime', 'real-time scheduling is not set'],
  ['CpuCount', '--cpu-count', 'it is a Windows option'],
  ['CpuPercent', '--cpu-percent', 'it is a Windows option'],
  ['IOMaximumIOps', '--io-maxiops', 'it is a Windows option'],
  ['IOMaximumBandwidth', '--io-maxbandwidth', 'it is a Windows option'],
];

/** The cgroup fields a rootless daemon discards (with {@link ROOTLESS_LIMITS_WARNING}). */
const CGROUP_FIELDS = [
  'Memory', 'MemoryReservation', 'MemorySwap', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit',
] as const;

const ULIMITS = new Set(['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']);

/**
 * A create request's HostConfig as the record keeps it: checked, docker's
 * defaults filled in, and the cgroup limits of a rootless daemon discarded.
 * @returns the HostConfig and docker's Warnings.
 * @throws InvalidParameterError for a refused option or a value docker refuses, in docker's words.
 */
export function hostConfigOf(given: HostConfigBody | undefined, facts: DaemonFacts): { hostConfig: HostConfigRecord; warnings: string[] } {
  const host: HostConfigBody = given ?? {};
  for (const [field, flag, why] of REFUSED) {
    if (isSet(host[field])) throw new InvalidParameterError(`${flag} (HostConfig.${field}) is not supported by minidockerd: ${why}`);
  }
  if (isSet(host.Links)) throw new InvalidParameterError(LEGACY_LINKS);
  const restart = host.RestartPolicy?.Name ?? '';
  if (!['', 'no'].includes(restart)) throw refused('--restart', 'RestartPolicy', 'containers are not restarted by the daemon');
  checkModes(host, facts);
  checkResources(host);
  portMappingsOf(host.PortBindings ?? null, false, undefined);
  parseExtraHosts(host.ExtraHosts, host.Dns);

  const warnings: string[] = [];
  const hostConfig: HostConfigRecord = {
    ...defaultHostConfig(facts.runtime),
    Binds: host.Binds ?? null,
    ContainerIDFile: host.ContainerIDFile ?? '',
    LogConfig: logConfigOf(host.LogConfig),
    NetworkMode: host.NetworkMode || 'default',
    PortBindings: host.PortBindings ?? null,
    PublishAllPorts: host.PublishAllPorts ?? false,
    AutoRemove: host.AutoRemove ?? false,
    VolumesFrom: host.VolumesFrom ?? null,
    ConsoleSize: host.ConsoleSize ?? [0, 0],
    CapAdd: host.CapAdd ?? null,
    CapDrop: host.CapDrop ?? null,
    CgroupnsMode: host.CgroupnsMode || 'host',
    Dns: host.Dns ?? null,
    DnsOptions: host.DnsOptions ?? null,
    DnsSearch: host.DnsSearch ?? null,
    ExtraHosts: host.ExtraHosts ?? null,
    GroupAdd: host.GroupAdd ?? null,
    IpcMode: host.IpcMode || 'private',
    OomScoreAdj: host.OomScoreAdj ?? 0,
    PidMode: host.PidMode ?? '',
    ReadonlyRootfs: host.ReadonlyRootfs ?? false,
    SecurityOpt: host.SecurityOpt ?? null,
    UTSMode: host.UTSMode ?? '',
    UsernsMode: host.UsernsMode ?? '',
    ShmSize: host.ShmSize || DEFAULT_SHM_SIZE,
    Isolation: host.Isolation ?? '',
    CpuShares: host.CpuShares ?? 0,
    Memory: host.Memory ?? 0,
    NanoCpus: host.NanoCpus ?? 0,
    BlkioWeightDevice: host.BlkioWeightDevice ?? null,
    BlkioDeviceReadBps: host.BlkioDeviceReadBps ?? null,
    BlkioDeviceWriteBps: host.BlkioDeviceWriteBps ?? null,
    BlkioDeviceReadIOps: host.BlkioDeviceReadIOps ?? null,
    BlkioDeviceWriteIOps: host.BlkioDeviceWriteIOps ?? null,
    CpuPeriod: host.CpuPeriod ?? 0,
    CpuQuota: host.CpuQuota ?? 0,
    CpusetCpus: host.CpusetCpus ?? '',
    CpusetMems: host.CpusetMems ?? '',
    Devices: host.Devices ?? null,
    DeviceCgroupRules: host.DeviceCgroupRules ?? null,
    DeviceRequests: host.DeviceRequests ?? null,
    MemoryReservation: host.MemoryReservation ?? 0,
    // Memory with no MemorySwap gets twice the memory, and inspect says so (docker's adaptContainerSettings).
    MemorySwap: host.MemorySwap || ((host.Memory ?? 0) > 0 ? (host.Memory ?? 0) * 2 : 0),
    // The CLI sends -1 for "not set".
    MemorySwappiness: host.MemorySwappiness === undefined || host.MemorySwappiness === -1 ? null : host.MemorySwappiness,
    OomKillDisable: host.OomKillDisable ?? false,
    PidsLimit: host.PidsLimit !== undefined && host.PidsLimit > 0 ? host.PidsLimit : null,
    Ulimits: host.Ulimits?.map((u) => ({ Name: u.Name ?? '', Soft: u.Soft ?? 0, Hard: u.Hard ?? 0 })) ?? null,
    MaskedPaths: host.MaskedPaths ?? [...MASKED_PATHS],
    ReadonlyPaths: host.ReadonlyPaths ?? [...READONLY_PATHS],
    ...(host.Init !== undefined ? { Init: host.Init } : {}),
    ...(isSet(host.Mounts) ? { Mounts: host.Mounts } : {}),
    ...(isSet(host.Tmpfs) ? { Tmpfs: host.Tmpfs } : {}),
  };
  // docker's words: the host's network has no container side to forward to.
  if (hostConfig.NetworkMode === 'host' && (isSet(hostConfig.PortBindings) || hostConfig.PublishAllPorts)) warnings.push(HOST_NETWORK_PORTS_WARNING);
  if (facts.rootless && CGROUP_FIELDS.some((field) => isSet(hostConfig[field]))) {
    warnings.push(ROOTLESS_LIMITS_WARNING);
    Object.assign(hostConfig, { Memory: 0, MemoryReservation: 0, MemorySwap: 0, NanoCpus: 0, CpuShares: 0, CpuPeriod: 0, CpuQuota: 0, CpusetCpus: '', CpusetMems: '', PidsLimit: null });
  }
  return { hostConfig, warnings };
}

/** The host IP of a binding that names none: this project publishes on loopback only. */
export const DEFAULT_HOST_IP = '127.0.0.1';

const PORT_KEY = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/;

/**
 * The ports to publish: each `PortBindings` entry (`"80/tcp": [{HostIp, HostPort}]`),
 * and with `publishAll` (-P) every exposed port not bound already, on a port
 * the kernel chooses. '' or no HostIp is {@link DEFAULT_HOST_IP}; '' or '0'
 * HostPort asks the kernel for one.
 * @throws InvalidParameterError in docker's words for a malformed port, or
 *   naming the loopback rule for a host IP that is not loopback.
 */
export function portMappingsOf(
  bindings: HostConfigRecord['PortBindings'],
  publishAll: boolean,
  exposed: Record<string, object> | undefined,
): PortMapping[] {
  const mappings: PortMapping[] = [];
  const parseKey = (key: string): { containerPort: number; proto: PortMapping['proto'] } => {
    const match = PORT_KEY.exec(key);
    const port = Number(match?.[1]);
    if (!match || port < 1 || port > 65535) throw new InvalidParameterError(`invalid port specification: "${key}"`);
    if (match[2] === 'sctp') throw new InvalidParameterError(`cannot publish ${key}: minidocker publishes tcp and udp ports only`);
    return { containerPort: port, proto: (match[2] ?? 'tcp') as PortMapping['proto'] };
  };
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { containerPort, proto } = parseKey(key);
    for (const binding of list ?? []) {
      const hostIp = binding.HostIp || DEFAULT_HOST_IP;
      if (!net.isIP(hostIp)) throw new InvalidParameterError(`invalid IP address: ${hostIp}`);
      const portText = binding.HostPort || '0';
      // docker also takes a range (8000-8010); one port here.
      if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new InvalidParameterError(`invalid port specification: "${portText}"`);
      if (!isLoopback(hostIp)) {
        throw new InvalidParameterError(
          `cannot publish ${hostIp}:${portText}->${containerPort}/${proto}: host IP ${hostIp} is not a loopback address; minidocker publishes ports on 127.0.0.0/8 and ::1 only`,
        );
      }
      mappings.push({ proto, hostIp, hostPort: Number(portText), containerPort });
    }
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      const { containerPort, proto } = parseKey(key);
      if (mappings.some((m) => m.containerPort === containerPort && m.proto === proto)) continue;
      mappings.push({ proto, hostIp: DEFAULT_HOST_IP, hostPort: 0, containerPort });
    }
  }
  return mappings;
}

/**
 * What buildSpec applies of a HostConfig (runtime/bundle.ts SpecOptions):
 * host namespaces, init, read-only root, limits. The caller adds what it
 * resolved itself (rootfs, args, user with the GroupAdd groups …).
 */
export function specOptionsOf(host: HostConfigRecord, facts: DaemonFacts): Partial<SpecOptions> {
  const options: Partial<SpecOptions> = {
    pidMode: host.PidMode === 'host' ? 'host' : 'private',
    utsMode: host.UTSMode === 'host' ? 'host' : 'private',
    ipcMode: host.IpcMode === 'host' ? 'host' : 'private',
    cgroupnsMode: host.CgroupnsMode === 'private' ? 'private' : 'host',
    readonlyRootfs: host.ReadonlyRootfs,
    noNewPrivileges: (host.SecurityOpt ?? []).some((opt) => /^no-new-privileges(?:[:=]true)?$/.test(opt)),
    oomScoreAdj: host.OomScoreAdj,
    shmSize: host.ShmSize,
    maskedPaths: host.MaskedPaths,
    readonlyPaths: host.ReadonlyPaths,
    ulimits: (host.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
  };
  if (host.Init === true && facts.initPath !== undefined) options.init = facts.initPath;
  if (!facts.rootless) {
    options.resources = {
      memory: host.Memory, memoryReservation: host.MemoryReservation, memorySwap: host.MemorySwap,
      ...(host.MemorySwappiness !== null ? { memorySwappiness: host.MemorySwappiness } : {}),
      oomKillDisable: host.OomKillDisable, pidsLimit: host.PidsLimit ?? 0, nanoCpus: host.NanoCpus,
      cpuShares: host.CpuShares, cpuQuota: host.CpuQuota, cpuPeriod: host.CpuPeriod,
      cpusetCpus: host.CpusetCpus, cpusetMems: host.CpusetMems,
    };
  }
  return options;
}

/** The container's `Config` as inspect shows it (ContainerRecord.Config). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, object>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  /** The request's Env, then the image's variables it did not set; an entry without `=` is kept (the process does not get it). */
  Env: string[];
  Cmd: string[] | null;
  /** The health check (create's, over the image's); absent when neither has one. */
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  /** The image as the client named it, e.g. `busybox`. */
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  NetworkDisabled?: boolean;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  /** The signal stop sends first (a name or number, as given); absent: SIGTERM. */
  StopSignal?: string;
  /** Seconds stop waits before SIGKILL when the request gives no `t`; absent: 10. */
  StopTimeout?: number;
  Shell?: string[];
}

/**
 * The create request's Config merged with the image's, by docker's rules
 * (moby `daemon/commit.go` merge): Env, Labels and ExposedPorts take the
 * image's entries the request does not set; Cmd and Entrypoint come from the
 * image only when the request gives no Entrypoint; User, WorkingDir,
 * StopSignal from the image when the request has none.
 * @param resolved what create decided: the hostname, and the working directory.
 * @throws InvalidParameterError for Config fields this daemon refuses (Volumes,
 *   Domainname, MacAddress), an invalid StopSignal or StopTimeout, and a Healthcheck docker refuses.
 */
export function containerConfigOf(body: ContainerCreateBody, image: ImageConfig | undefined, resolved: { hostname: string; workingDir: string }): ContainerConfig {
  const healthcheck = mergeHealthcheck(body.Healthcheck, image?.Healthcheck);
  if (isSet(body.Domainname)) throw refused('--domainname', 'Domainname', 'containers have no domain name', 'Config');
  if (isSet(body.MacAddress)) throw refused('--mac-address', 'MacAddress', 'containers have no network interface but loopback', 'Config');
  if (body.NetworkDisabled === true && body.HostConfig?.NetworkMode === 'host') {
    throw new InvalidParameterError('conflicting options: NetworkDisabled and the host network mode');
  }
  if (body.HostConfig?.UTSMode === 'host' && isSet(body.Hostname)) throw new InvalidParameterError('Conflicting options: hostname and the UTS mode');
  const stopSignal = body.StopSignal || image?.StopSignal;
  if (stopSignal !== undefined && (stopSignal === '' || parseSignal(stopSignal) === undefined)) throw new InvalidParameterError(`Invalid signal: ${stopSignal}`);
  if (body.StopTimeout !== undefined && body.StopTimeout < -1) throw new InvalidParameterError(`invalid stop timeout (${body.StopTimeout}): -1 waits forever, 0 or more are seconds`);

  const userEnv = body.Env ?? [];
  const userKeys = new Set(userEnv.map((e) => e.split('=', 1)[0]));
  const fromImage = !isSet(body.Entrypoint);
  const exposed: Record<string, object> = { ...(image?.ExposedPorts ?? {}), ...((body.ExposedPorts ?? {}) as Record<string, object>) };
  return {
    Hostname: resolved.hostname,
    Domainname: '',
    User: body.User || image?.User || '',
    AttachStdin: body.AttachStdin ?? false,
    AttachStdout: body.AttachStdout ?? false,
    AttachStderr: body.AttachStderr ?? false,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    Tty: body.Tty ?? false,
    OpenStdin: body.OpenStdin ?? false,
    StdinOnce: body.StdinOnce ?? false,
    Env: [...userEnv, ...(image?.Env ?? []).filter((e) => !userKeys.has(e.split('=', 1)[0]))],
    Cmd: fromImage && !isSet(body.Cmd) ? (image?.Cmd ?? null) : (body.Cmd ?? null),
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    ...(body.ArgsEscaped !== undefined ? { ArgsEscaped: body.ArgsEscaped } : {}),
    Image: body.Image ?? '',
    // The create's anonymous volumes (`-v /path`) and the image's VOLUMEs, as docker merges them.
    Volumes: isSet(body.Volumes) || isSet(image?.Volumes) ? { ...(image?.Volumes ?? {}), ...(body.Volumes as Record<string, object> | undefined) } : null,
    WorkingDir: resolved.workingDir,
    Entrypoint: fromImage ? (body.Entrypoint ?? image?.Entrypoint ?? null) : (body.Entrypoint ?? null),
    ...(body.NetworkDisabled ? { NetworkDisabled: true } : {}),
    OnBuild: body.OnBuild ?? null,
    Labels: { ...(image?.Labels ?? {}), ...(body.Labels ?? {}) },
    ...(stopSignal !== undefined ? { StopSignal: stopSignal } : {}),
    ...(body.StopTimeout !== undefined ? { StopTimeout: body.StopTimeout } : {}),
    ...(body.Shell ? { Shell: body.Shell } : {}),
  };
}

/**
 * The container's health check, docker's way: the create's over the image's
 * (an empty Test takes the image's Test, a zero duration or retry count the
 * image's value), checked as docker checks it.
 * @throws InvalidParameterError in docker's words for a Test that is not NONE, CMD or CMD-SHELL,
 *   and for durations under 1 ms or negative retries.
 */
export function mergeHealthcheck(given: HealthConfig | undefined, image: HealthConfig | undefined): HealthConfig | undefined {
  if (given === undefined) return image;
  const merged: HealthConfig = { ...given };
  if (!given.Test || given.Test.length === 0) merged.Test = image?.Test;
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!merged[key] && image?.[key]) merged[key] = image[key];
  }
  for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval'] as const) {
    const value = merged[key] ?? 0;
    if (value !== 0 && value < 1_000_000) throw new InvalidParameterError(`${key} in Healthcheck cannot be less than 1ms`);
  }
  if ((merged.Retries ?? 0) < 0) throw new InvalidParameterError('Retries in Healthcheck cannot be negative');
  const kind = merged.Test?.[0];
  if (kind !== undefined && !['NONE', 'CMD', 'CMD-SHELL'].includes(kind)) {
    throw new InvalidParameterError(`unknown Healthcheck type: ${kind}: it is NONE, CMD or CMD-SHELL`);
  }
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as HealthConfig;
}

// Namespace modes, runtime, isolation, init, user namespace, security options: what this daemon can do.
function checkModes(host: HostConfigBody, facts: DaemonFacts): void {
  const asRoot = (flag: string, field: Field): void => {
    if (facts.rootless) throw new InvalidParameterError(`${flag} (HostConfig.${field}) needs a daemon running as root: a rootless container cannot join the host's namespaces`);
  };
  if (!['', 'host'].includes(host.PidMode ?? '')) throw refused(`--pid=${host.PidMode}`, 'PidMode', 'only "host" (or nothing) is supported');
  if (host.PidMode === 'host') asRoot('--pid=host', 'PidMode');
  if (!['', 'host'].includes(host.UTSMode ?? '')) throw refused(`--uts=${host.UTSMode}`, 'UTSMode', 'only "host" (or nothing) is supported');
  if (host.UTSMode === 'host') asRoot('--uts=host', 'UTSMode');
  if (!['', 'private', 'shareable', 'host'].includes(host.IpcMode ?? '')) throw refused(`--ipc=${host.IpcMode}`, 'IpcMode', 'use private, shareable or host');
  if (host.IpcMode === 'host') asRoot('--ipc=host', 'IpcMode');
  if (facts.rootless && (host.GroupAdd ?? []).length > 0) {
    throw new InvalidParameterError('--group-add (HostConfig.GroupAdd) needs a daemon running as root: a rootless container maps no group but its own');
  }
  if (!['', 'host', 'private'].includes(host.CgroupnsMode ?? '')) throw new InvalidParameterError(`invalid cgroup namespace mode: ${host.CgroupnsMode}`);
  if (!['', 'host'].includes(host.UsernsMode ?? '') || (host.UsernsMode === 'host' && facts.rootless)) {
    throw refused(`--userns=${host.UsernsMode}`, 'UsernsMode', facts.rootless ? 'a rootless daemon always uses a user namespace' : 'containers share the host user namespace');
  }
  if (!['', 'default'].includes(host.Isolation ?? '')) throw new InvalidParameterError(`Invalid isolation: "${host.Isolation}" - linux only supports 'default'`);
  if (host.Runtime && host.Runtime !== facts.runtime) throw new InvalidParameterError(`unknown or invalid runtime name: ${host.Runtime}`);
  if (host.Init === true && host.PidMode === 'host') throw new InvalidParameterError('--init cannot be used with --pid=host: the container\'s process is not pid 1');
  if (host.Init === true && facts.initPath === undefined) {
    throw new InvalidParameterError('--init (HostConfig.Init) needs docker-init on the daemon\'s host: install tini (its static tini-static) or put a docker-init on PATH');
  }
  for (const opt of host.SecurityOpt ?? []) {
    // Only what is true of every container here: no seccomp, AppArmor or SELinux profile is applied.
    if (/^no-new-privileges(?:[:=](?:true|false))?$/.test(opt) || ['seccomp=unconfined', 'seccomp:unconfined', 'apparmor=unconfined', 'apparmor:unconfined', 'label=disable', 'label:disable'].includes(opt)) continue;
    throw refused(`--security-opt ${opt}`, 'SecurityOpt', 'only no-new-privileges (and the unconfined profiles, which every container has) are supported');
  }
}

// docker's own checks of the resources (moby daemon_unix.go verifyPlatformContainerResources), in its words.
function checkResources(host: HostConfigBody): void {
  const memory = host.Memory ?? 0;
  const swap = host.MemorySwap ?? 0;
  if (memory > 0 && memory < 6 * 1024 * 1024) throw new InvalidParameterError('Minimum memory limit allowed is 6MB');
  if (swap > 0 && memory === 0) throw new InvalidParameterError('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (swap > 0 && swap < memory) throw new InvalidParameterError('Minimum memoryswap limit should be larger than memory limit, see usage');
  const reservation = host.MemoryReservation ?? 0;
  if (memory > 0 && reservation > 0 && memory < reservation) throw new InvalidParameterError('Minimum memory limit can not be less than memory reservation limit, see usage');
  const swappiness = host.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new InvalidParameterError(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  const ncpu = os.availableParallelism();
  const nanoCpus = host.NanoCpus ?? 0;
  if (nanoCpus > 0 && (host.CpuPeriod ?? 0) > 0) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nanoCpus > 0 && (host.CpuQuota ?? 0) > 0) throw new InvalidParameterError('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nanoCpus < 0 || nanoCpus > ncpu * 1e9) throw new InvalidParameterError(`Range of CPUs is from 0.01 to ${ncpu}.00, as there are only ${ncpu} CPUs available`);
  const period = host.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1_000_000)) throw new InvalidParameterError('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  const quota = host.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw new InvalidParameterError('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if ((host.CpuShares ?? 0) < 0) throw new InvalidParameterError(`invalid CPU shares (${host.CpuShares}): must not be negative`);
  for (const [field, value, available] of [['cpus', host.CpusetCpus, ncpu], ['mems', host.CpusetMems, 1]] as const) {
    if (!value) continue;
    const ids = cpuList(value);
    if (ids === undefined) throw new InvalidParameterError(`Invalid value ${value} for cpuset ${field}`);
    if (ids.some((id) => id >= available)) throw new InvalidParameterError(`Requested ${field === 'cpus' ? 'CPUs' : 'memory nodes'} are not available - requested ${value}, available: 0-${available - 1}`);
  }
  const adj = host.OomScoreAdj ?? 0;
  if (adj < -1000 || adj > 1000) throw new InvalidParameterError(`Invalid value ${adj}, range for oom score adj is [-1000, 1000]`);
  if ((host.ShmSize ?? 0) < 0) throw new InvalidParameterError('SHM size can not be less than 0');
  for (const ulimit of host.Ulimits ?? []) {
    if (!ULIMITS.has(ulimit.Name ?? '')) throw new InvalidParameterError(`invalid ulimit type: ${ulimit.Name ?? ''}`);
    if ((ulimit.Soft ?? 0) > (ulimit.Hard ?? 0)) throw new InvalidParameterError(`ulimit soft limit must be less than or equal to hard limit: ${ulimit.Soft ?? 0} > ${ulimit.Hard ?? 0}`);
  }
}

// A cpuset list, `0-3,5`: the ids it names, or undefined when it is not one.
function cpuList(text: string): number[] | undefined {
  const ids: number[] = [];
  for (const part of text.split(',')) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) return undefined;
    const from = Number(match[1]);
    const to = Number(match[2] ?? match[1]);
    if (to < from) return undefined;
    for (let id = from; id <= to; id++) ids.push(id);
  }
  return ids;
}

function refused(flag: string, field: string, why: string, within: 'HostConfig' | 'Config' = 'HostConfig'): InvalidParameterError {
  const path = within === 'Config' && field.startsWith('NetworkingConfig.') ? field : `${within}.${field}`;
  return new InvalidParameterError(`${flag} (${path}) is not supported by minidockerd: ${why}`);
}

/** Whether a field asks for something: a non-empty string, list or map, true, or a non-zero number. */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
