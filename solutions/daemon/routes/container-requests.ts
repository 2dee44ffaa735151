/**
 * Provided: the declared types of the containers API's requests, checked by
 * `validated` (server/validate.ts) before a handler runs. The body of
 * `POST /containers/create` lists the fields this daemon acts on; any other
 * field a client sends is kept and ignored, as docker ignores what it does
 * not know.
 *
 * ```
 * POST   /containers/create?name=         body: ContainerCreateBody
 * GET    /containers/json?all=&limit=&filters=
 * POST   /containers/{id}/wait?condition=  not-running | next-exit | removed
 * POST   /containers/{id}/stop?t=          POST …/restart?t=
 * POST   /containers/{id}/kill?signal=     a name (TERM, SIGTERM, sigterm) or a number
 * POST   /containers/{id}/resize?h=&w=
 * DELETE /containers/{id}?force=&v=
 * GET    /containers/{id}/logs?stdout=&stderr=&follow=&timestamps=&tail=&since=&until=
 * POST   /containers/{id}/attach?stream=&stdout=&stderr=&stdin=&logs=
 * ```
 */
import os from 'node:os';
import * as v from 'valibot';
import { bool, int64, objectMap, optional, qBool, qInt, qString, qText, str, strSlice, stringMap, strings, struct } from '../server/validate.js';

/** A terminal dimension in `ConsoleSize`. */
const uint16 = v.pipe(v.number('type:uint'), v.integer('type:uint'), v.minValue(0, 'type:uint'), v.maxValue(0xffff, 'type:uint'));

/** `PortBindings` values: a list of `{HostIp, HostPort}`, or null. */
const portBindings = optional(
  v.record(v.string(), v.nullable(v.array(struct({ HostIp: str, HostPort: str }), 'type:[]nat.PortBinding')), 'type:nat.PortMap'),
);

/** `HostConfig` as this daemon reads it. */
export const hostConfig = optional(
  struct({
    AutoRemove: bool,
    NetworkMode: str,
    Binds: strings,
    PortBindings: portBindings,
    Memory: int64,
    PidsLimit: int64,
    NanoCpus: int64,
    ConsoleSize: optional(v.pipe(v.array(uint16, 'type:[2]uint'), v.length(2, 'type:[2]uint'), v.transform((size): [number, number] => [size[0] ?? 0, size[1] ?? 0]))),
  }),
);

/** The body of `POST /containers/create`: docker's `Config` plus `HostConfig` (and a lower-case `name`, from dockerode). */
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
  Image: str,
  Volumes: objectMap,
  WorkingDir: str,
  Entrypoint: strSlice,
  Labels: stringMap,
  HostConfig: hostConfig,
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

/** `POST /containers/{id}/wait?condition=`: next-exit when not given. */
export const waitQuery = v.looseObject({
  condition: v.pipe(
    qText,
    v.transform((value) => value || 'next-exit'),
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

/** `DELETE /containers/{id}?force=&v=` (`v`: the anonymous volumes too; a container has none yet). */
export const removeQuery = v.looseObject({ force: qBool, v: qBool });

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

/** `POST /containers/{id}/attach`. */
export const attachQuery = v.looseObject({ stream: qBool, stdout: qBool, stderr: qBool, stdin: qBool, logs: qBool });

/** The typed `POST /containers/{id}/attach` query. */
export type AttachQuery = v.InferOutput<typeof attachQuery>;
