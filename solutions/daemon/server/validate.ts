/**
 * Provided: requests are checked at the edge, before any service sees them.
 * Every route that takes a body or query parameters declares their types
 * here with valibot, and {@link validated} reads, checks and converts them,
 * so handlers and services receive typed values and a wrong type answers 400
 * naming the field, in docker's words:
 *
 * ```
 * {"HostConfig": {"Memory": "1g"}}  ─▶ 400 json: cannot unmarshal string into Go struct field HostConfig.Memory of type int64
 * {"Cmd": "true"}                   ─▶ Cmd: ["true"]   (docker's StrSlice: a string is a one-element list)
 * null                              ─▶ 400 config cannot be empty in order to create a container
 * ```
 *
 * valibot, because it is small and modular: it loads in a quarter of zod's
 * time and the bundler keeps only the validators used. Docker's rules that a
 * naive schema gets wrong are written once below: unknown fields are kept and
 * ignored (clients send newer fields than we speak), `null` means "not given"
 * as it does for Go's JSON decoder, and list-or-string fields accept both.
 */
import * as v from 'valibot';
import type { Socket } from 'node:net';
import { InvalidParameterError, RequestTooLargeError } from '../../errdefs.js';
import { readJson } from './http.js';
import type { RouteContext, RouteHandler } from './router.js';

/** A schema of any input and output: what routes declare. */
export type Schema<T = unknown> = v.GenericSchema<unknown, T>;

/** The typed values a {@link validated} handler receives. */
export interface Validated<Q, B = undefined> {
  query: Q;
  body: B;
}

/** A handler of checked input: the route context plus the typed query and body. */
export type ValidatedHandler<Q, B> = (ctx: RouteContext, input: Validated<Q, B>) => Promise<void>;

/** What a route declares: a query schema, a body schema (the body is read only with one). */
export interface RequestSchemas<Q, B> {
  query?: Schema<Q>;
  body?: Schema<B>;
  /** The message for a `null` body, where the route wants one (docker's create: "config cannot be empty …"). */
  nullBody?: string;
}

/**
 * Wraps a handler so that it runs only on a valid request: the query is read
 * into an object (a repeated parameter becomes a list), the body is read with
 * readJson (1 MiB cap) when a body schema is given, and both are checked.
 * @throws InvalidParameterError naming the first wrong field.
 */
export function validated<Q = Record<string, never>, B = undefined>(
  schemas: RequestSchemas<Q, B>,
  handler: ValidatedHandler<Q, B>,
): RouteHandler {
  return async (ctx) => {
    const query = (schemas.query === undefined ? {} : parse(schemas.query, queryObject(ctx.query))) as Q;
    let body = undefined as B;
    if (schemas.body !== undefined) {
      const raw = await readJson<unknown>(ctx.req).catch((err: unknown) => {
        if (err instanceof RequestTooLargeError) lingerBeforeClose(ctx.req.socket);
        throw err;
      });
      if (raw === null && schemas.nullBody !== undefined) throw new InvalidParameterError(schemas.nullBody);
      body = parse(schemas.body, raw);
    }
    await handler(ctx, { query, body });
  };
}

/** How long a connection closed after a 413 still takes (and drops) what the client sends. */
export const LINGER_MS = 1000;

/**
 * Makes the connection of a request whose body is left unread (a 413, or an
 * archive refused half-way) close as Go's net/http closes it: a client still
 * writing the body (dockerode, any Node client) would otherwise get EPIPE
 * before it reads the answer. So when the response closes the connection,
 * the daemon ends its side first, drops what still comes for {@link LINGER_MS},
 * then closes. Use with `Connection: close` on the response.
 */
export function lingerBeforeClose(socket: Socket): void {
  socket.destroySoon = () => {
    // The HTTP parser would read the rest of the body as a next request and answer it with a 400.
    socket.removeAllListeners('data');
    socket.on('data', () => undefined);
    socket.resume();
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/**
 * Checks `value` against `schema` and returns the converted value.
 * @throws InvalidParameterError, worded as Go's JSON decoder words a type error.
 */
export function parse<T>(schema: Schema<T>, value: unknown): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  throw new InvalidParameterError(describeIssue(result.issues[0]));
}

/** The query string as an object: one value a string, a repeated parameter a list. */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key);
    out[key] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return out;
}

// An issue's message says how to word it: `type:<Go type>` (a body field of the wrong type, as
// Go's JSON decoder says it), `query:<what is expected>` (a query parameter), `say:<message>`
// (the whole message, e.g. docker's own); valibot's own messages are prefixed with the field.
function describeIssue(issue: v.BaseIssue<unknown>): string {
  const field = fieldPath(issue);
  if (issue.message.startsWith('type:')) {
    const goType = issue.message.slice('type:'.length);
    const target = field === '' ? 'Go value' : `Go struct field ${field}`;
    return `json: cannot unmarshal ${jsonKind(issue.input)} into ${target} of type ${goType}`;
  }
  if (issue.message.startsWith('say:')) return issue.message.slice('say:'.length);
  if (issue.message.startsWith('query:')) return `invalid value for "${field}": ${JSON.stringify(issue.input)} (${issue.message.slice('query:'.length)})`;
  return field === '' ? issue.message : `${field}: ${issue.message}`;
}

// `HostConfig.Memory`, `Env[1]`.
function fieldPath(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const item of issue.path ?? []) {
    const key = item.key as string | number;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? key : `.${key}`;
  }
  return out;
}

// How Go's decoder names the JSON value it could not store: `string`, `number 1.5`, `object`, `array`, `bool`.
function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return `number ${value}`;
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

// ─── Body types, as docker's Go structs decode them ──────────────────────────────────────
// Each is optional, and null reads as "not given" (Go leaves the field at its zero value).

/** `schema`, optional, with `null` read as undefined. */
export function optional<T extends v.GenericSchema>(schema: T) {
  return v.pipe(v.nullish(schema), v.transform((value: v.InferOutput<T> | null | undefined) => value ?? undefined));
}

/** A JSON string (Go `string`). */
export const str = optional(v.string('type:string'));

/** A JSON boolean (Go `bool`). */
export const bool = optional(v.boolean('type:bool'));

/** A whole number that fits Go's `int64` (bytes, nanoseconds). */
export const int64 = optional(v.pipe(v.number('type:int64'), v.integer('type:int64'), v.safeInteger('type:int64')));

/** A list of strings (Go `[]string`): `null` is no list. */
export const strings = optional(v.array(v.string('type:string'), 'type:[]string'));

/** Docker's `StrSlice` (`Cmd`, `Entrypoint`, `Shell`): a list of strings, or one string meaning a one-element list. */
export const strSlice = optional(
  v.union([v.pipe(v.string(), v.transform((s: string) => [s])), v.array(v.string('type:string'))], 'type:strslice.StrSlice'),
);

/** A JSON object of string values (Go `map[string]string`, e.g. `Labels`). */
export const stringMap = optional(v.record(v.string(), v.string('type:string'), 'type:map[string]string'));

/** A JSON object of any values (Go `map[string]struct{}`, e.g. `ExposedPorts`, `Volumes`). */
export const objectMap = optional(v.record(v.string(), v.unknown(), 'type:map[string]struct {}'));

/** A struct: its declared fields are checked, every other field is kept and ignored. */
export function struct<const T extends v.ObjectEntries>(entries: T) {
  // A JSON array is an object to typeof, never to Go's decoder.
  return v.pipe(v.custom<object>((value) => !Array.isArray(value), 'type:struct'), v.looseObject(entries, 'type:struct'));
}

// ─── Query parameter types: every value arrives as text ──────────────────────────────────

/** A query value as text: '' when absent; a repeated parameter gives its first value. */
export const qText = v.pipe(
  v.optional(v.union([v.string(), v.array(v.string())]), ''),
  v.transform((value: string | string[]) => (Array.isArray(value) ? (value[0] ?? '') : value)),
);

/** docker's boolean query values: absent, '', `0`, `false`, `no`, `none` are false; anything else is true. */
export const qBool = v.pipe(qText, v.transform((value) => !['', '0', 'false', 'no', 'none'].includes(value.toLowerCase())));

/** An optional query string: absent or '' is undefined. */
export const qString = v.pipe(qText, v.transform((value) => (value === '' ? undefined : value)));

/** An optional whole number (`?t=10`, `?limit=-1`): absent or '' is undefined. */
export const qInt = v.pipe(
  qText,
  v.check((value) => value === '' || /^-?\d+$/.test(value), 'query:a whole number'),
  v.transform((value) => (value === '' ? undefined : Number(value))),
);
