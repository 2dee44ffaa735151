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
import { NotImplementedError } from '../../errors.js';
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
  // TODO(lesson-03): Build the SystemVersion: Version, ApiVersion, MinAPIVersion, Os, Arch, KernelVersion, GoVersion.
  // HINT: add Platform {Name: 'minidocker'} and Components [{Name: 'Engine', Version, Details}];
  // HINT: Details holds the same values as strings (ApiVersion, MinAPIVersion, GoVersion, Os, Arch, …).
  throw new NotImplementedError('lesson-03: systemVersion');
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
  // TODO(lesson-03): Fill EngineInfo from the host facts and the daemon's ID, data root and version.
  // HINT: ID (daemon.id), NCPU, MemTotal, Name, KernelVersion, OperatingSystem, OSType, Architecture (uname -m),
  // HINT: DockerRootDir, ServerVersion, counts of 0, LoggingDriver 'json-file', CgroupDriver/Version, the capability flags,
  // HINT: Runtimes {runc: {path: 'runc'}}, IndexServerAddress, SecurityOptions (['name=rootless'] when facts.rootless, else null),
  // HINT: Warnings from cgroupWarnings (or null).
  throw new NotImplementedError('lesson-03: systemInfo');
}

/**
 * Adds `/_ping` (GET and HEAD), `GET /version` and `GET /info` to the router.
 * `/info` is {@link systemInfo} with every `daemon.infoSources` result merged over it.
 */
export function registerSystemRoutes(router: Router, daemon: DaemonInfo): void {
  // TODO(lesson-03): Add GET and HEAD /_ping, GET /version and GET /info to the router.
  // HINT: ping: 200 with PING_HEADERS; GET sends the body OK, HEAD no body (Content-Length 0).
  // HINT: /version and /info: sendJson(res, 200, …) with a fresh `await probeHost()`; for /info, await every
  // HINT: daemon.infoSources entry (Promise.all) and Object.assign each result over the systemInfo body, in order.
  throw new NotImplementedError('lesson-03: registerSystemRoutes');
}
