/**
 * Provided: the typed exec calls of `minidocker exec` (lesson 13), built on
 * lesson 01's client, one function per endpoint (moby's `client/container_exec.go`):
 *
 * ```
 * execCreate(client, container, config)     POST /containers/{id}/exec      → { Id }
 * execStartDetached(client, id)             POST /exec/{id}/start {"Detach":true}        (200, no stream)
 * execAttach(client, id, { tty, size })     POST /exec/{id}/start {"Detach":false,"Tty"} → raw duplex (101)
 * execInspect(client, id)                   GET  /exec/{id}/json            → ExecInspect (ExitCode)
 * execResize(client, id, { height, width }) POST /exec/{id}/resize?h=…&w=…  (200)
 * ```
 * Each call throws what EngineClient throws: NotFoundError for an unknown
 * container or exec, ConflictError for a container that is not running, …
 */
import type { Duplex } from 'node:stream';
import type { ExecCreateRequest, ExecCreateResponse, ExecInspect, ExecStartRequest } from '../api/exec-types.js';
import type { EngineClient } from './engine-client.js';

/** Options of `execAttach`. */
export interface ExecAttachOptions {
  /** The exec has a terminal: the stream is raw, not multiplexed. */
  tty?: boolean | undefined;
  /** The terminal's size, `[rows, columns]`. */
  consoleSize?: [number, number] | undefined;
}

/** The terminal size for `execResize`. */
export interface ExecResizeOptions {
  /** Rows (`?h=`). */
  height: number;
  /** Columns (`?w=`). */
  width: number;
}

/**
 * `POST /containers/{id}/exec`: makes an exec instance in a running container.
 * @returns its `Id`.
 * @throws NotFoundError for an unknown container; ConflictError when it is not running.
 */
export function execCreate(client: EngineClient, container: string, config: ExecCreateRequest): Promise<ExecCreateResponse> {
  return client.json<ExecCreateResponse>('POST', `/containers/${container}/exec`, { body: config });
}

/** `POST /exec/{id}/start` with `{"Detach": true}`: starts it and returns; the process runs on. */
export async function execStartDetached(client: EngineClient, id: string): Promise<void> {
  const body: ExecStartRequest = { Detach: true, Tty: false };
  await client.json('POST', `/exec/${id}/start`, { body });
}

/**
 * `POST /exec/{id}/start`, hijacked: resolves with the raw connection after
 * `101 UPGRADED`. Without a TTY the output on it is multiplexed frames (see
 * `demultiplex`); with one, raw bytes. What we write goes to the process's
 * stdin (AttachStdin); `end()` half-closes it.
 */
export function execAttach(client: EngineClient, id: string, options: ExecAttachOptions = {}): Promise<Duplex> {
  const body: ExecStartRequest = { Detach: false, Tty: Boolean(options.tty), ...(options.consoleSize ? { ConsoleSize: options.consoleSize } : {}) };
  return client.hijack('POST', `/exec/${id}/start`, { body });
}

/** `GET /exec/{id}/json`: `Running`, `ExitCode` (null until it ended), `Pid`, … */
export function execInspect(client: EngineClient, id: string): Promise<ExecInspect> {
  return client.json<ExecInspect>('GET', `/exec/${id}/json`);
}

/** `POST /exec/{id}/resize?h=…&w=…`: sets the size of the exec's terminal (`Tty` only). */
export async function execResize(client: EngineClient, id: string, options: ExecResizeOptions): Promise<void> {
  await client.json('POST', `/exec/${id}/resize`, { query: { h: options.height, w: options.width } });
}
