/**
 * Provided: the declared types of the containers API's requests, checked by
 * `validated` (server/validate.ts) before a handler runs. The body of
 * `POST /containers/create` lists every field of docker's `Config` and
 * `HostConfig`; a field docker does not know is ignored, as docker ignores it.
 *
 * ```
 * POST   /containers/create?name=         body: ContainerCreateBody
 * GET    /containers/json?all=&limit=&filters=
 * POST   /containers/{id}/wait?condition=  not-running | next-exit | removed
 * POST   /containers/{id}/stop?t=          POST …/restart?t=
 * POST   /containers/{id}/kill?signal=     a name (TERM, SIGTERM, sigterm) or a number
 * POST   /containers/{id}/resize?h=&w=
 * DELETE /containers/{id}?force=&v=&link=     link=1: 400, legacy links are not supported
 * GET    /containers/{id}/logs?stdout=&stderr=&follow=&timestamps=&tail=&since=&until=
 * POST   /containers/{id}/attach?stream=&stdout=&stderr=&stdin=&logs=&detachKeys=
 * ```
 */
import os from 'node:os';
import * as v from 'valibot';
import { bool, int64, objectMap, optional, qBool, qInt, qString, qText, str, strSlice, stringMap, strings, struct } from '../server/validate.js';
import { parseDetachKeys } from '../server/detach-keys.js';

/** A terminal dimension in `ConsoleSize`. */
const uint16 = v.pipe(v.number('type:uint'), v.integer('type:uint'), v.minValue(0, 'type:uint'), v.maxValue(0xffff, 'type:uint'));

/** A Go `int` (docker's `StopTimeout`, `MaximumRetryCount`). */
const int = optional(v.pipe(v.number('type:int'), v.integer('type:int'), v.safeInteger('type:int')));

/** A list of anything (fields this daemon refuses unless empty: Devices, Mounts …). */
const list = (goType: string) => optional(v.array(v.unknown(), `type:${goType}`));

/** `PortBindings` values: a list of `{HostIp, HostPort}`, or null. */
const portBindings = optional(
  v.record(v.string(), v.nullable(v.array(struct({ HostIp: str, HostPort: str }), 'type:[]nat.PortBinding')), 'type:nat.PortMap'),
);

/** A Go `uint32` (a file mode). */
const uint32 = optional(v.pipe(v.number('type:uint32'), v.integer('type:uint32'), v.minValue(0, 'type:uint32'), v.maxValue(0xffffffff, 'type:uint32')));

/** One of `HostConfig.Mounts`: docker's `mount.Mount` (api/types/mount/mount.go). */
export const mountSpec = struct({
  Type: str,
  Source: str,
  Target: str,
  ReadOnly: bool,
  Consistency: str,
  BindOptions: optional(struct({ Propagation: str, NonRecursive: bool, CreateMountpoint: bool, ReadOnlyNonRecursive: bool, ReadOnlyForceRecursive: bool })),
  VolumeOptions: optional(struct({ NoCopy: bool, Labels: stringMap, Subpath: str, DriverConfig: optional(struct({ Name: str, Options: stringMap })) })),
  ImageOptions: optional(struct({ Subpath: str })),
  TmpfsOptions: optional(struct({ SizeBytes: int64, Mode: uint32, Options: optional(v.array(v.array(v.string()))) })),
  ClusterOptions: optional(v.record(v.string(), v.unknown())),
});

/** A checked `HostConfig.Mounts` entry. */
export type MountSpec = v.InferOutput<typeof mountSpec>;

/**
 * `HostConfig` as docker declares it (api/types/container/hostconfig.go), every
 * field typed. What this daemon does with each, and the defaults inspect shows,
 * are in containers/create-options.ts: a field is applied, or refused with a
 * 400 unless it has its default value.
 */
export const hostConfig = optional(
  struct({
    Binds: strings,
    ContainerIDFile: str,
    LogConfig: optional(struct({ Type: str, Config: stringMap })),
    NetworkMode: str,
    PortBindings: portBindings,
    RestartPolicy: optional(struct({ Name: str, MaximumRetryCount: int })),
    AutoRemove: bool,
    VolumeDriver: str,
    VolumesFrom: strings,
    ConsoleSize: optional(v.pipe(v.array(uint16, 'type:[2]uint'), v.length(2, 'type:[2]uint'), v.transform((size): [number, number] => [size[0] ?? 0, size[1] ?? 0]))),
    Annotations: stringMap,
    CapAdd: strSlice,
    CapDrop: strSlice,
    CgroupnsMode: str,
    Dns: strings,
    DnsOptions: strings,
    DnsSearch: strings,
    ExtraHosts: strings,
    GroupAdd: strings,
    IpcMode: str,
    Cgroup: str,
    Links: strings,
    OomScoreAdj: int,
    PidMode: str,
    Privileged: bool,
    PublishAllPorts: bool,
    ReadonlyRootfs: bool,
    SecurityOpt: strings,
    StorageOpt: stringMap,
    Tmpfs: stringMap,
    UTSMode: str,
    UsernsMode: str,
    ShmSize: int64,
    Sysctls: stringMap,
    Runtime: str,
    Isolation: str,
    CpuShares: int64,
    Memory: int64,
    NanoCpus: int64,
    CgroupParent: str,
    BlkioWeight: optional(v.pipe(v.number('type:uint16'), v.integer('type:uint16'), v.minValue(0, 'type:uint16'), v.maxValue(0xffff, 'type:uint16'))),
    BlkioWeightDevice: list('[]*blkiodev.WeightDevice'),
    BlkioDeviceReadBps: list('[]*blkiodev.ThrottleDevice'),
    BlkioDeviceWriteBps: list('[]*blkiodev.ThrottleDevice'),
    BlkioDeviceReadIOps: list('[]*blkiodev.ThrottleDevice'),
    BlkioDeviceWriteIOps: list('[]*blkiodev.ThrottleDevice'),
    CpuPeriod: int64,
    CpuQuota: int64,
    CpuRealtimePeriod: int64,
    CpuRealtimeRuntime: int64,
    CpusetCpus: str,
    CpusetMems: str,
    Devices: list('[]container.DeviceMapping'),
    DeviceCgroupRules: strings,
    DeviceRequests: list('[]container.DeviceRequest'),
    MemoryReservation: int64,
    MemorySwap: int64,
    MemorySwappiness: int64,
    OomKillDisable: bool,
    PidsLimit: int64,
    Ulimits: optional(v.array(struct({ Name: str, Soft: int64, Hard: int64 }), 'type:[]*units.Ulimit')),
    CpuCount: int64,
    CpuPercent: int64,
    IOMaximumIOps: int64,
    IOMaximumBandwidth: int64,
    Mounts: optional(v.array(mountSpec, 'type:[]mount.Mount')),
    MaskedPaths: strings,
    ReadonlyPaths: strings,
    Init: bool,
  }),
);

/** `HostConfig` of a create request, checked and converted. */
export type HostConfigBody = NonNullable<v.InferOutput<typeof hostConfig>>;

/** `Config.Healthcheck`: the test and its timing, in nanoseconds. */
const healthcheck = optional(
  struct({ Test: strSlice, Interval: int64, Timeout: int64, StartPeriod: int64, StartInterval: int64, Retries: int }),
);

/** The body of `POST /containers/create`: docker's `Config` plus `HostConfig` and `NetworkingConfig` (and a lower-case `name`, from dockerode). */
export const containerCreateBody = struct({
  name: str,
  Hostname: str,
  Domainname: str,
  User: str,
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  ExposedPorts: objectMap,
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: strings,
  Cmd: strSlice,
  Healthcheck: healthcheck,
  ArgsEscaped: bool,
  Image: str,
  Volumes: objectMap,
  WorkingDir: str,
  Entrypoint: strSlice,
  NetworkDisabled: bool,
  MacAddress: str,
  OnBuild: strings,
  Labels: stringMap,
  StopSignal: str,
  StopTimeout: int,
  Shell: strSlice,
  HostConfig: hostConfig,
  NetworkingConfig: optional(struct({ EndpointsConfig: optional(v.record(v.string(), v.nullable(v.record(v.string(), v.unknown())), 'type:map[string]*network.EndpointSettings')) })),
});

/** A create request as the service receives it, checked and converted. */
export type ContainerCreateBody = v.InferOutput<typeof containerCreateBody>;

/** What docker answers for a create whose body is `null`. */
export const EMPTY_CREATE_BODY = 'config cannot be empty in order to create a container';

/** `POST /containers/create?name=`. */
export const createQuery = v.looseObject({ name: qString });

/** The typed `POST /containers/create` query. */
export type CreateQuery = v.InferOutput<typeof createQuery>;

/** `GET /containers/json?all=&limit=&filters=` (`filters` is JSON, read by parseFilters). */
export const listQuery = v.looseObject({ all: qBool, limit: qInt, filters: qString });

/** The typed `GET /containers/json` query. */
export type ListQuery = v.InferOutput<typeof listQuery>;

/** `condition` of `POST /containers/{id}/wait`. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * `POST /containers/{id}/wait?condition=`: not-running when not given, as
 * docker's: a wait on a container that already exited answers at once.
 */
export const waitQuery = v.looseObject({
  condition: v.pipe(
    qText,
    v.transform((value) => value || 'not-running'),
    v.picklist(['not-running', 'next-exit', 'removed'], 'query:not-running, next-exit or removed'),
  ),
});

/** The typed wait query. */
export type WaitQuery = v.InferOutput<typeof waitQuery>;

/** `?t=` of stop and restart: seconds before SIGKILL; undefined when not given, -1 waits forever. */
export const stopQuery = v.looseObject({ t: qInt });

/** The typed stop and restart query. */
export type StopQuery = v.InferOutput<typeof stopQuery>;

/** A signal as the runtime takes it: a name (`SIGTERM`) or a number. */
export type Signal = NodeJS.Signals | number;

/**
 * A `?signal=` value: a name with or without `SIG` (any case) or a number
 * from 1 to 64; none means SIGKILL.
 * @returns undefined for a value that names no signal.
 */
export function parseSignal(value: string): Signal | undefined {
  if (value === '') return 'SIGKILL';
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    return n >= 1 && n <= 64 ? n : undefined;
  }
  const upper = value.toUpperCase();
  const name = (upper.startsWith('SIG') ? upper : `SIG${upper}`) as NodeJS.Signals;
  return name in os.constants.signals ? name : undefined;
}

/** `POST /containers/{id}/kill?signal=`. */
export const killQuery = v.looseObject({
  signal: v.pipe(
    qText,
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const signal = parseSignal(dataset.value);
      if (signal !== undefined) return signal;
      addIssue({ message: `say:Invalid signal: ${dataset.value}` });
      return NEVER;
    }),
  ),
});

/** The typed kill query. */
export type KillQuery = v.InferOutput<typeof killQuery>;

/** A terminal dimension: a whole number of characters, 0–65535. */
const dimension = v.pipe(
  qText,
  v.check((value) => /^\d{1,5}$/.test(value) && Number(value) <= 0xffff, 'query:a whole number from 0 to 65535'),
  v.transform(Number),
);

/** `POST /containers/{id}/resize?h=&w=`. */
export const resizeQuery = v.looseObject({ h: dimension, w: dimension });

/** The typed resize query. */
export type ResizeQuery = v.InferOutput<typeof resizeQuery>;

/** What docker's legacy links became: the answer to `?link=1` and `HostConfig.Links`. */
export const LEGACY_LINKS =
  'legacy container links (--link) are not supported: put the containers on one user-defined network (docker network create) and they reach each other by name';

/** `DELETE /containers/{id}?force=&v=&link=` (`v`: its anonymous volumes too; `link`: refused, {@link LEGACY_LINKS}). */
export const removeQuery = v.looseObject({
  force: qBool,
  v: qBool,
  link: v.pipe(qBool, v.check((link) => !link, `say:${LEGACY_LINKS}`)),
});

/** The typed `DELETE /containers/{id}` query. */
export type RemoveQuery = v.InferOutput<typeof removeQuery>;

/** `GET /containers/{id}/logs`: `tail` is `all` or a number; since/until are unix seconds. */
export const logsQuery = v.looseObject({
  stdout: qBool,
  stderr: qBool,
  follow: qBool,
  timestamps: qBool,
  tail: v.pipe(qText, v.check((value) => value === '' || value === 'all' || /^-?\d+$/.test(value), 'query:"all" or a number of lines')),
  since: qString,
  until: qString,
});

/** The typed `GET /containers/{id}/logs` query. */
export type LogsQuery = v.InferOutput<typeof logsQuery>;

/**
 * `?detachKeys=` of attach (and exec): docker's key sequence, e.g. `ctrl-p,ctrl-q`
 * (the default when none is given) or `ctrl-a,x`, as the bytes a terminal sends.
 */
export const detachKeys = v.pipe(
  qText,
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const keys = parseDetachKeys(dataset.value);
    if (keys !== undefined) return keys;
    addIssue({ message: `say:Invalid detach keys (${dataset.value}) provided` });
    return NEVER;
  }),
);

/** `POST /containers/{id}/attach`. */
export const attachQuery = v.looseObject({ stream: qBool, stdout: qBool, stderr: qBool, stdin: qBool, logs: qBool, detachKeys });

/** The typed `POST /containers/{id}/attach` query. */
export type AttachQuery = v.InferOutput<typeof attachQuery>;
