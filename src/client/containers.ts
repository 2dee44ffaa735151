/**
 * Provided: the typed container calls lesson 02's verbs make, built on lesson 01's client.
 *
 * The container endpoints, one typed function each (moby's `client/container_*.go`):
 *
 * ```
 * containerCreate(client, config, { name })  POST   /containers/create[?name=…]        → { Id, Warnings }
 * containerStart(client, id)                 POST   /containers/{id}/start             (204; 304 when running)
 * containerWait(client, id, { condition })   POST   /containers/{id}/wait?condition=…  → at the headers; the body at exit
 * containerAttach(client, id, { stdout… })   POST   /containers/{id}/attach?stream=1…  → raw duplex (101)
 * containerLogs(client, id, { follow… })     GET    /containers/{id}/logs?stdout=1…    → body stream
 * containerList(client, { all })             GET    /containers/json[?all=1]           → ContainerSummary[]
 * containerInspect(client, id)               GET    /containers/{id}/json              → ContainerInspect
 * containerStop(client, id, { timeout })     POST   /containers/{id}/stop[?t=N]        (204; 304 when stopped)
 * containerKill(client, id, { signal })      POST   /containers/{id}/kill[?signal=…]   (204)
 * containerRemove(client, id, { force })     DELETE /containers/{id}[?force=1]         (204)
 * containerResize(client, id, { h, w })      POST   /containers/{id}/resize?h=…&w=…    (200)
 * ```
 * `id` may be a full id, an id prefix or a name. A flag that is false or
 * missing is left out of the query, as docker leaves it out. Each call throws
 * what EngineClient throws: NotFoundError for an unknown container,
 * ConflictError for a name in use, …
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ContainerCreateRequest, ContainerCreateResponse, ContainerInspect, ContainerSummary, ContainerWaitResponse } from '../api/types.js';
import type { EngineClient } from './engine-client.js';
import { readText } from './http-transport.js';

/** Options of `containerCreate`. */
export interface ContainerCreateOptions {
  /** The container's name (`?name=`); the daemon makes one up when undefined. */
  name?: string | undefined;
}

/** What `containerWait` waits for. */
export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** Options of `containerWait`. */
export interface ContainerWaitOptions {
  /** `not-running` (the daemon's default), `next-exit`, or `removed` (for `--rm`). */
  condition?: WaitCondition | undefined;
}

/** A wait under way: the daemon has answered with its headers; the body comes at exit. */
export interface ContainerWait {
  /**
   * Reads the body, `{"StatusCode": N, "Error": null}`: resolves once the
   * container has exited (or is removed, for `removed`). Call it once.
   */
  result(): Promise<ContainerWaitResponse>;
  /** Drops the request (a wait that is no longer needed, or after an error). */
  close(): void;
}

/** Options of `containerAttach`: which streams to connect. */
export interface ContainerAttachOptions {
  /** `?stream=1`: live output from now on (what `run` wants). */
  stream?: boolean | undefined;
  /** `?logs=1`: replay the output so far first. */
  logs?: boolean | undefined;
  /** `?stdin=1`: what we write goes to the container's stdin (needs OpenStdin). */
  stdin?: boolean | undefined;
  /** `?stdout=1`. */
  stdout?: boolean | undefined;
  /** `?stderr=1`. */
  stderr?: boolean | undefined;
}

/** Options of `containerLogs`. */
export interface ContainerLogsOptions {
  /** `?stdout=1`. */
  stdout?: boolean | undefined;
  /** `?stderr=1`. */
  stderr?: boolean | undefined;
  /** `?follow=1`: keep the response open until the container exits. */
  follow?: boolean | undefined;
  /** `?tail=`: how many lines from the end, or `all`. */
  tail?: string | undefined;
  /** `?timestamps=1`: prefix each line with its RFC 3339 time. */
  timestamps?: boolean | undefined;
  /** `?since=`: only lines after this unix time (seconds). */
  since?: number | undefined;
}

/** Options of `containerList`. */
export interface ContainerListOptions {
  /** `?all=1`: stopped containers too. */
  all?: boolean | undefined;
}

/** Options of `containerStop`. */
export interface ContainerStopOptions {
  /** `?t=N`: seconds between SIGTERM and SIGKILL; the daemon's default when undefined. */
  timeout?: number | undefined;
}

/** Options of `containerKill`. */
export interface ContainerKillOptions {
  /** `?signal=`: a name (`SIGHUP`, `HUP`) or a number; SIGKILL when undefined. */
  signal?: string | undefined;
}

/** Options of `containerRemove`. */
export interface ContainerRemoveOptions {
  /** `?force=1`: kill a running container first. */
  force?: boolean | undefined;
  /** `?v=1`: remove its anonymous volumes too. */
  volumes?: boolean | undefined;
}

/** The terminal size for `containerResize`. */
export interface ContainerResizeOptions {
  /** Rows (`?h=`). */
  height: number;
  /** Columns (`?w=`). */
  width: number;
}

/**
 * `POST /containers/create?name=…` with the config as its JSON body.
 * @returns the new container's full `Id` and the daemon's `Warnings`.
 * @throws NotFoundError when the image is missing (the CLI pulls, then creates again);
 *   ConflictError when the name is in use.
 */
export async function containerCreate(
  client: EngineClient,
  config: ContainerCreateRequest,
  options: ContainerCreateOptions = {},
): Promise<ContainerCreateResponse> {
  return client.json<ContainerCreateResponse>('POST', '/containers/create', { query: { name: options.name }, body: config });
}

/** `POST /containers/{id}/start`; resolves also for 304 (already running). */
export async function containerStart(client: EngineClient, id: string): Promise<void> {
  await client.json('POST', `/containers/${id}/start`);
}

/**
 * `POST /containers/{id}/wait?condition=…`. Resolves as soon as the daemon
 * has sent the response headers, so that the wait is under way before the
 * container is started: `result()` then reads the body, which the daemon
 * sends when the condition is met.
 */
export async function containerWait(client: EngineClient, id: string, options: ContainerWaitOptions = {}): Promise<ContainerWait> {
  const res = await client.request('POST', `/containers/${id}/wait`, { query: { condition: options.condition } });
  return {
    result: async () => JSON.parse(await readText(res)) as ContainerWaitResponse,
    close: () => res.destroy(),
  };
}

/**
 * `POST /containers/{id}/attach?stream=1&stdout=1&stderr=1[&stdin=1]`, hijacked:
 * resolves with the raw connection after `101 UPGRADED`. Without a TTY the
 * output on it is multiplexed frames (see `demultiplex`); with one, raw bytes.
 * `end()` it to half-close the container's stdin.
 */
export function containerAttach(client: EngineClient, id: string, options: ContainerAttachOptions): Promise<Duplex> {
  const query = {
    stream: options.stream || undefined,
    logs: options.logs || undefined,
    stdin: options.stdin || undefined,
    stdout: options.stdout || undefined,
    stderr: options.stderr || undefined,
  };
  return client.hijack('POST', `/containers/${id}/attach`, { query });
}

/**
 * `GET /containers/{id}/logs?stdout=1&stderr=1[&follow=1][&tail=…]`: resolves
 * with the response at its headers; the body streams the output (frames
 * without a TTY, raw bytes with one) and ends at the end of the log, or with
 * `follow` when the container exits.
 */
export function containerLogs(client: EngineClient, id: string, options: ContainerLogsOptions): Promise<IncomingMessage> {
  const query = {
    stdout: options.stdout || undefined,
    stderr: options.stderr || undefined,
    follow: options.follow || undefined,
    tail: options.tail,
    timestamps: options.timestamps || undefined,
    since: options.since,
  };
  return client.request('GET', `/containers/${id}/logs`, { query });
}

/** `GET /containers/json[?all=1]`: the running containers, or all of them. */
export async function containerList(client: EngineClient, options: ContainerListOptions = {}): Promise<ContainerSummary[]> {
  const query = { all: options.all || undefined };
  return (await client.json<ContainerSummary[] | undefined>('GET', '/containers/json', { query })) ?? [];
}

/** `GET /containers/{id}/json`: the full record (`Id`, `State`, `Config.Tty`, …). */
export function containerInspect(client: EngineClient, id: string): Promise<ContainerInspect> {
  return client.json<ContainerInspect>('GET', `/containers/${id}/json`);
}

/** `POST /containers/{id}/stop[?t=N]`; resolves also for 304 (already stopped). */
export async function containerStop(client: EngineClient, id: string, options: ContainerStopOptions = {}): Promise<void> {
  await client.json('POST', `/containers/${id}/stop`, { query: { t: options.timeout } });
}

/**
 * `POST /containers/{id}/kill[?signal=…]`.
 * @throws ConflictError when the container is not running.
 */
export async function containerKill(client: EngineClient, id: string, options: ContainerKillOptions = {}): Promise<void> {
  await client.json('POST', `/containers/${id}/kill`, { query: { signal: options.signal } });
}

/**
 * `DELETE /containers/{id}[?force=1][&v=1]`.
 * @throws ConflictError for a running container without `force`.
 */
export async function containerRemove(client: EngineClient, id: string, options: ContainerRemoveOptions = {}): Promise<void> {
  await client.json('DELETE', `/containers/${id}`, { query: { force: options.force || undefined, v: options.volumes || undefined } });
}

/** `POST /containers/{id}/resize?h=…&w=…`: sets the size of the container's terminal (`Tty` only). */
export async function containerResize(client: EngineClient, id: string, options: ContainerResizeOptions): Promise<void> {
  await client.json('POST', `/containers/${id}/resize`, { query: { h: options.height, w: options.width } });
}
