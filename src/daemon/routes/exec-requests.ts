/**
 * Provided: the declared types of the exec endpoints' requests, checked by
 * `validated` (server/validate.ts) before a handler runs, in docker's words.
 *
 * ```
 * POST /containers/{id}/exec    body: ExecCreateBody   {"Cmd": []} ─▶ 400 No exec command specified
 * POST /exec/{id}/start         body: ExecStartBody    {"Detach": false, "Tty": false}
 * POST /exec/{id}/resize?h=&w=  query: resizeQuery (container-requests.ts)
 * GET  /exec/{id}/json
 * ```
 * A field docker does not know is ignored (dockerode sends `stdin`, `hijack`).
 */
import * as v from 'valibot';
import { bool, optional, str, strSlice, strings, struct } from '../server/validate.js';
import { parseDetachKeys } from '../server/detach-keys.js';

/** docker's answer to an exec without a command. */
export const NO_EXEC_COMMAND = 'No exec command specified';

/** The refusal of `docker exec --privileged`: an exec keeps the container's capabilities. */
export const PRIVILEGED_EXEC =
  '--privileged (Privileged) is not supported by minidockerd: an exec runs with the container\'s capabilities';

/** A terminal dimension in `ConsoleSize`. */
const uint16 = v.pipe(v.number('type:uint'), v.integer('type:uint'), v.minValue(0, 'type:uint'), v.maxValue(0xffff, 'type:uint'));

/** `ConsoleSize`: `[rows, columns]`, or null. */
const consoleSize = optional(
  v.pipe(v.array(uint16, 'type:[2]uint'), v.length(2, 'type:[2]uint'), v.transform((size): [number, number] => [size[0] ?? 0, size[1] ?? 0])),
);

/**
 * `DetachKeys` as the bytes a terminal sends: '' or none is an empty buffer
 * (Ctrl-P Ctrl-Q apply), a list docker refuses is its 400.
 */
const execDetachKeys = optional(
  v.pipe(
    v.string('type:string'),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      if (dataset.value === '') return Buffer.alloc(0);
      const keys = parseDetachKeys(dataset.value);
      if (keys !== undefined) return keys;
      addIssue({ message: `say:Invalid escape keys (${dataset.value}) provided` });
      return NEVER;
    }),
  ),
);

/** The body of `POST /containers/{id}/exec` (docker's ExecOptions). `Cmd` is required and not empty; `Privileged` is refused. */
export const execCreateBody = v.pipe(
  struct({
    User: str,
    Privileged: bool,
    Tty: bool,
    ConsoleSize: consoleSize,
    AttachStdin: bool,
    AttachStderr: bool,
    AttachStdout: bool,
    Detach: bool,
    DetachKeys: execDetachKeys,
    Env: strings,
    WorkingDir: str,
    Cmd: strSlice,
  }),
  v.check((body) => (body.Cmd?.length ?? 0) > 0, `say:${NO_EXEC_COMMAND}`),
  v.check((body) => body.Privileged !== true, `say:${PRIVILEGED_EXEC}`),
);

/** An exec create request as the service receives it, checked and converted. */
export type ExecCreateBody = v.InferOutput<typeof execCreateBody>;

/** The body of `POST /exec/{id}/start` (docker's ExecStartOptions). */
export const execStartBody = struct({ Detach: bool, Tty: bool, ConsoleSize: consoleSize });

/** An exec start request, checked and converted. */
export type ExecStartBody = v.InferOutput<typeof execStartBody>;
