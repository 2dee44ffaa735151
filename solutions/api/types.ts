/**
 * Provided: the wire types every Engine API lesson reads and writes.
 *
 * Engine API message shapes shared by the client, the CLI and the daemon.
 *
 * Field names are Docker's, PascalCase as they travel on the wire (see the
 * Docker Engine API reference, v1.41). Only the fields the workshop reads or
 * writes are listed; a daemon may send more and a client ignores what it does
 * not know.
 */
import type { HealthConfig } from '../image/types.js';
import type { NetworkingConfig } from './network-types.js';
import type { MountPoint, MountSpec } from './volume-types.js';

/** The API version the reference daemon speaks and advertises in `Api-Version`. */
export const API_VERSION = '1.41';

/** The oldest API version the daemon still accepts in a `/v1.NN/` prefix. */
export const MIN_API_VERSION = '1.24';

/**
 * The version a client falls back to when `/_ping` carries no `Api-Version`
 * header, as the docker CLI does.
 */
export const FALLBACK_API_VERSION = '1.24';

/** `GET /version`. */
export interface SystemVersion {
  Platform?: { Name: string };
  Components?: Array<{ Name: string; Version: string; Details?: Record<string, string> }>;
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit?: string;
  GoVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** `GET /info`. Every field is optional: the docker CLI prints zero values for missing ones. */
export interface SystemInfo {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DockerRootDir?: string;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  Name?: string;
  ServerVersion?: string;
  IndexServerAddress?: string;
  Runtimes?: Record<string, { path: string }>;
  DefaultRuntime?: string;
  /** docker's `name=…` strings (`name=rootless`, `name=seccomp,profile=builtin`); null when there are none. */
  SecurityOptions?: string[] | null;
  Plugins?: PluginsInfo;
  RegistryConfig?: RegistryServiceConfig;
  Labels?: string[];
  Warnings?: string[] | null;
}

/** `/info`'s `Plugins`: the drivers of each kind the daemon has, sorted; null for a kind with none (a Go nil slice). */
export interface PluginsInfo {
  Volume: string[] | null;
  Network: string[] | null;
  Authorization: string[] | null;
  Log: string[] | null;
}

/** `/info`'s `RegistryConfig`, as dockerd 28 sends it to API 1.41 clients. */
export interface RegistryServiceConfig {
  /** Deprecated in API 1.47 and left out from 1.48 on; null below. */
  AllowNondistributableArtifactsCIDRs: null;
  AllowNondistributableArtifactsHostnames: null;
  /** CIDRs pulled from over plain HTTP: `["::1/128", "127.0.0.0/8"]` by default. */
  InsecureRegistryCIDRs: string[];
  /** Per registry: `docker.io` always, with the mirrors. */
  IndexConfigs: Record<string, RegistryIndexInfo>;
  /** The `--registry-mirror` URLs, normalised to end in `/`; null when there are none. */
  Mirrors: string[] | null;
}

/** One registry of {@link RegistryServiceConfig.IndexConfigs}. */
export interface RegistryIndexInfo {
  Name: string;
  Mirrors: string[];
  Secure: boolean;
  Official: boolean;
}

/** One entry of `GET /images/json`. */
export interface ImageSummary {
  Id: string;
  ParentId?: string;
  RepoTags: string[] | null;
  RepoDigests?: string[] | null;
  Created: number;
  Size: number;
  SharedSize?: number;
  Labels?: Record<string, string> | null;
  Containers?: number;
}

/** One port of a container list entry. */
export interface PortSummary {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: 'tcp' | 'udp' | 'sctp';
}

/** One entry of `GET /containers/json`. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Command: string;
  Created: number;
  State: string;
  Status: string;
  Ports: PortSummary[];
  Labels: Record<string, string>;
}

/** Host-side options of `POST /containers/create`. */
export interface HostConfig {
  AutoRemove?: boolean;
  NetworkMode?: string;
  /** `-v`: `"/host:/ctr[:ro]"` binds and `"name:/ctr"` named volumes, as given (a relative `./dir` made absolute). */
  Binds?: string[] | null;
  /** `--mount`: mounts in docker's structured form. */
  Mounts?: MountSpec[] | null;
  /** `--tmpfs /run:size=64m`: per container path, the mount options ('' for none). */
  Tmpfs?: Record<string, string> | null;
  /** `--read-only`: the container's root filesystem is mounted read-only. */
  ReadonlyRootfs?: boolean;
  /** `-p`: per `"<port>/<proto>"`, where to publish it; HostIp and HostPort '' leave the choice to the daemon. */
  PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;
  /** `-P`: publish every exposed port on a port the kernel chooses. */
  PublishAllPorts?: boolean;
  /** `--add-host`: `"name:ip"` lines for the container's /etc/hosts. */
  ExtraHosts?: string[] | null;
  /** `--dns`: nameservers for the container's /etc/resolv.conf. */
  Dns?: string[] | null;
  /** `--dns-search`: search domains. */
  DnsSearch?: string[] | null;
  /** `--dns-option`: resolver options (`ndots:2`). */
  DnsOptions?: string[] | null;
  Memory?: number;
  PidsLimit?: number | null;
  NanoCpus?: number;
  ConsoleSize?: [number, number];
}

/** Body of `POST /containers/create` (the name travels as `?name=`). */
export interface ContainerCreateRequest {
  Hostname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Image: string;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  Labels?: Record<string, string>;
  /** `-v /data`: anonymous volumes, by container path (each `{}`). */
  Volumes?: Record<string, object> | null;
  /** The health check (lesson 13); omitted: the image's. */
  Healthcheck?: HealthConfig;
  HostConfig?: HostConfig;
  /** The container's settings on its network (`--network-alias`), by network name. */
  NetworkingConfig?: NetworkingConfig;
}

/** Reply of `POST /containers/create`. */
export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[] | null;
}

/** Reply body of `POST /containers/{id}/wait`. */
export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** The container state inside `GET /containers/{id}/json`. */
export interface ContainerState {
  Status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  Running: boolean;
  Paused?: boolean;
  Pid?: number;
  ExitCode: number;
  Error?: string;
  StartedAt: string;
  FinishedAt: string;
}

/** `GET /containers/{id}/json`: the fields the docker CLI and testcontainers read. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Path?: string;
  Args?: string[];
  Image?: string;
  State: ContainerState;
  Config: Omit<ContainerCreateRequest, 'HostConfig'> & { Hostname: string; Labels: Record<string, string> };
  HostConfig?: HostConfig;
  /** What is mounted where (lesson 15): binds, volumes and tmpfs, as the daemon resolved them. */
  Mounts?: MountPoint[];
  NetworkSettings: {
    Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
    Networks: Record<string, { NetworkID?: string; IPAddress?: string }>;
  };
}

/** One line of a JSON progress stream (`POST /images/create`, push, build). */
export interface JSONMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  aux?: Record<string, unknown>;
  error?: string;
  errorDetail?: { code?: number; message: string };
}

/** One entry of `DELETE /images/{name}`. */
export interface ImageDeleteResponseItem {
  Untagged?: string;
  Deleted?: string;
}

/** The answer of `GET /images/{name}/json` (the fields docker and testcontainers read). */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Author: string;
  Config: Record<string, unknown>;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> };
  RootFS: { Type: 'layers'; Layers: string[] };
  Metadata: { LastTagTime: string };
}
