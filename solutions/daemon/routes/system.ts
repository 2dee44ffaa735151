/**
 * The system routes every client calls first:
 *
 * - `GET|HEAD /_ping`: the docker CLI's first request of every command; it
 *   reads `Api-Version` from the headers to choose the `/v1.NN/` prefix.
 * - `GET /version`: `docker version`'s Server section.
 * - `GET /info`: `docker info`, and testcontainers' first request.
 */
import type { SystemInfo, SystemVersion } from '../../api/types.js';
import { API_VERSION, MIN_API_VERSION } from '../../api/types.js';
import { cgroupWarnings, probeHost } from '../system/host-facts.js';
import type { HostFacts } from '../system/host-facts.js';
import { sendJson } from '../server/http.js';
import type { Router } from '../server/router.js';
import type { DaemonInfo } from '../server/route-registrar.js';

/**
 * `/info` as minidockerd sends it: SystemInfo plus the capability flags the
 * docker CLI checks before printing its "WARNING: No memory limit support" lines.
 */
export interface EngineInfo extends SystemInfo {
  MemoryLimit?: boolean;
  SwapLimit?: boolean;
  OomKillDisable?: boolean;
  CpuCfsQuota?: boolean;
  CpuCfsPeriod?: boolean;
  CPUShares?: boolean;
  CPUSet?: boolean;
  PidsLimit?: boolean;
  IPv4Forwarding?: boolean;
  BridgeNfIptables?: boolean;
  BridgeNfIp6tables?: boolean;
  Debug?: boolean;
  ExperimentalBuild?: boolean;
  Swarm?: { LocalNodeState: string };
}

/** The headers dockerd adds to `/_ping` on top of the ones every reply carries. */
export const PING_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-cache, no-store, must-revalidate',
  Pragma: 'no-cache',
  'Content-Type': 'text/plain; charset=utf-8',
};

/**
 * The `/version` body. Top-level fields are what the client negotiates with;
 * `Components[0]` ("Engine") is what `docker version` prints under Server.
 * GoVersion carries the runtime the daemon runs on (`node v20…`).
 */
export function systemVersion(daemon: DaemonInfo, facts: HostFacts): SystemVersion {
  const common = {
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GoVersion: facts.runtimeVersion,
    Os: 'linux',
    Arch: facts.goArch,
    KernelVersion: facts.kernelVersion,
  };
  return {
    Platform: { Name: 'minidocker' },
    Components: [{ Name: 'Engine', Version: daemon.version, Details: { ...common, Experimental: 'false' } }],
    Version: daemon.version,
    ...common,
    Experimental: false,
  };
}

/**
 * The `/info` body: the daemon's ID, real host facts, the data root, and zero
 * counts, which the images and containers routes replace through
 * `daemon.infoSources` (the composition root adds `Plugins` and
 * `RegistryConfig` the same way). `SecurityOptions` says only what is true:
 * `name=rootless` for a daemon without root, else null, as no seccomp or
 * AppArmor profile is applied. `Warnings` is null when the host supports every
 * cgroup feature.
 */
export function systemInfo(daemon: DaemonInfo, facts: HostFacts): EngineInfo {
  const warnings = cgroupWarnings(facts);
  const c = facts.cgroups;
  return {
    ID: daemon.id,
    Containers: 0,
    ContainersRunning: 0,
    ContainersPaused: 0,
    ContainersStopped: 0,
    Images: 0,
    Driver: 'overlay',
    DockerRootDir: daemon.dataRoot,
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: facts.cgroupVersion,
    MemoryLimit: c.memoryLimit,
    SwapLimit: c.swapLimit,
    OomKillDisable: c.oomKillDisable,
    CpuCfsQuota: c.cpuCfsQuota,
    CpuCfsPeriod: c.cpuCfsPeriod,
    CPUShares: c.cpuShares,
    CPUSet: c.cpuSet,
    PidsLimit: c.pidsLimit,
    IPv4Forwarding: facts.ipv4Forwarding,
    BridgeNfIptables: facts.bridgeNfIptables,
    BridgeNfIp6tables: facts.bridgeNfIp6tables,
    KernelVersion: facts.kernelVersion,
    OperatingSystem: facts.operatingSystem,
    OSType: 'linux',
    Architecture: facts.machine,
    NCPU: facts.ncpu,
    MemTotal: facts.memTotal,
    Name: facts.hostname,
    ServerVersion: daemon.version,
    IndexServerAddress: 'https://index.docker.io/v1/',
    Runtimes: { runc: { path: 'runc' } },
    DefaultRuntime: 'runc',
    Swarm: { LocalNodeState: 'inactive' },
    SecurityOptions: facts.rootless ? ['name=rootless'] : null,
    Labels: [],
    Debug: false,
    ExperimentalBuild: false,
    Warnings: warnings.length > 0 ? warnings : null,
  };
}

/**
 * Adds `/_ping` (GET and HEAD), `GET /version` and `GET /info` to the router.
 * `/info` is {@link systemInfo} with every `daemon.infoSources` result merged over it.
 */
export function registerSystemRoutes(router: Router, daemon: DaemonInfo): void {
  router.add('GET', '/_ping', async ({ res }) => {
    res.writeHead(200, { ...PING_HEADERS, 'Content-Length': 2 });
    res.end('OK');
  });
  // The CLI pings with HEAD first; Node sends no body for HEAD anyway, but say so.
  router.add('HEAD', '/_ping', async ({ res }) => {
    res.writeHead(200, { ...PING_HEADERS, 'Content-Length': 0 });
    res.end();
  });
  router.add('GET', '/version', async ({ res }) => {
    sendJson(res, 200, systemVersion(daemon, await probeHost()));
  });
  router.add('GET', '/info', async ({ res }) => {
    const body = systemInfo(daemon, await probeHost());
    // Asked when the request comes, not at start-up: the counts change as images and containers do.
    for (const extra of await Promise.all(daemon.infoSources.map((source) => source()))) Object.assign(body, extra);
    sendJson(res, 200, body);
  });
}
