/**
 * Provided: the typed system calls lesson 02's verbs make, built on lesson 01's client.
 *
 * The system endpoints, one typed function each (moby's `client/ping.go`,
 * `version.go`, `info.go`):
 *
 * ```
 * systemPing(client)     HEAD /_ping (GET when HEAD is refused)  → PingResult
 * systemVersion(client)  GET /version                             → SystemVersion
 * systemInfo(client)     GET /info                                → SystemInfo
 * ```
 * Each call throws what EngineClient throws
 * (an errdefs class for a daemon error, DaemonUnreachableError without a daemon).
 */
import type { SystemInfo, SystemVersion } from '../api/types.js';
import type { EngineClient } from './engine-client.js';
import type { PingResult } from './request-options.js';

/** `HEAD /_ping` (unversioned): the daemon's API version, OS type and experimental flag. */
export function systemPing(client: EngineClient): Promise<PingResult> {
  return client.ping();
}

/** `GET /version`: the daemon's version, API versions, OS and architecture. */
export function systemVersion(client: EngineClient): Promise<SystemVersion> {
  return client.json<SystemVersion>('GET', '/version');
}

/** `GET /info`: counts, drivers, kernel and host facts; every field may be missing. */
export async function systemInfo(client: EngineClient): Promise<SystemInfo> {
  return (await client.json<SystemInfo | undefined>('GET', '/info')) ?? {};
}
