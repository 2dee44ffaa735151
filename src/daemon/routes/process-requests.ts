/**
 * Provided: the declared types of the query parameters of lesson 13's
 * process routes (routes/container-processes.ts), checked by `validated`
 * (server/validate.ts) before a handler runs.
 *
 * ```
 * GET /containers/{id}/top?ps_args=              ps's options, split on spaces ('' or absent: -ef)
 * GET /containers/{id}/stats?stream=&one-shot=   stream true when absent; one-shot false when absent
 * ```
 */
import * as v from 'valibot';
import { qText } from '../server/validate.js';

/**
 * A docker boolean with a default for when the parameter is absent
 * (httputils.BoolValueOrDefault): present, '', `0`, `false`, `no`, `none` are false.
 */
const qFlag = (absent: boolean) =>
  v.pipe(
    // An absent parameter reads as its default's text: valibot runs a pipe for a missing key only with a default.
    v.optional(v.union([v.string(), v.array(v.string())]), absent ? '1' : '0'),
    v.transform((value: string | string[]) => {
      const text = (Array.isArray(value) ? (value[0] ?? '') : value).trim().toLowerCase();
      return !['', '0', 'false', 'no', 'none'].includes(text);
    }),
  );

/** `GET /containers/{id}/top?ps_args=`. */
export const topQuery = v.looseObject({ ps_args: qText });

/** The typed top query. */
export type TopQuery = v.InferOutput<typeof topQuery>;

/** `GET /containers/{id}/stats?stream=&one-shot=`: a stream unless `stream=0`; `one-shot` skips the second sample. */
export const statsQuery = v.looseObject({ stream: qFlag(true), 'one-shot': qFlag(false) });

/** The typed stats query. */
export type StatsQuery = v.InferOutput<typeof statsQuery>;
