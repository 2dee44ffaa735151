/**
 * What a container runs and with which environment: the image config's
 * defaults combined with the options of `POST /containers/create`, by docker's
 * rules.
 *
 * ```
 * image  Entrypoint ["/entry.sh"]  Cmd ["serve"]     Env ["PATH=/x", "A=1"]
 * create Entrypoint null           Cmd ["debug"]     Env ["A=2", "B=3"]
 * ──────────────────────────────────────────────────────────────────────────
 * args   ["/entry.sh", "debug"]
 * env    ["PATH=/x", "HOSTNAME=<hostname>", "A=2", "B=3"]
 * ```
 */
import { InvalidParameterError } from '../errdefs.js';
import type { ImageConfig } from '../image/types.js';
import { DEFAULT_PATH_ENV } from './defaults.js';

/**
 * The container's argv: Entrypoint followed by Cmd, each taken from the create
 * request or the image (docker's `merge` of the container and image configs):
 * - a create `entrypoint` that is a non-empty list replaces the image's
 *   Entrypoint and drops the image's Cmd, which was written for the old one;
 *   `[""]` (what `docker run --entrypoint ""` sends) means "no entrypoint";
 * - an empty list `[]` resets the entrypoint but keeps the image's Cmd;
 * - `null` or undefined keeps the image's Entrypoint;
 * - a non-empty create `cmd` replaces the Cmd; null, undefined or `[]` takes the
 *   image's Cmd (unless a create entrypoint dropped it).
 * A missing image config counts as an image with neither.
 * @throws InvalidParameterError('no command specified') when nothing is left to run.
 */
export function resolveArgs(image: ImageConfig | undefined, entrypoint?: string[] | null, cmd?: string[] | null): string[] {
  let ep: string[];
  let args: string[];
  if (entrypoint !== null && entrypoint !== undefined && entrypoint.length > 0) {
    ep = isReset(entrypoint) ? [] : entrypoint;
    args = cmd ?? [];
  } else {
    ep = entrypoint ?? image?.Entrypoint ?? [];
    args = cmd !== null && cmd !== undefined && cmd.length > 0 ? cmd : (image?.Cmd ?? []);
  }
  if (isReset(ep)) ep = [];
  const argv = [...ep, ...args];
  if (argv.length === 0) throw new InvalidParameterError('no command specified');
  return argv;
}

function isReset(entrypoint: string[]): boolean {
  return entrypoint.length === 1 && entrypoint[0] === '';
}

/**
 * The container's environment, in docker's order:
 * `PATH=<DEFAULT_PATH_ENV>`, `HOSTNAME=<hostname>`, `TERM=xterm` (only with a
 * terminal), then the image's Env overridden by the create Env. A variable
 * that is already in the list is replaced where it stands (so an image's PATH
 * takes the first place), a new one is appended, and a create entry without
 * `=` (`"DEBUG"`) removes the variable. Missing lists count as empty.
 */
export function mergeEnv(imageEnv: string[] | undefined, env: string[] | null | undefined, hostname: string, tty = false): string[] {
  const config = [...(env ?? [])];
  const userKeys = new Set(config.map(keyOf));
  for (const entry of imageEnv ?? []) if (!userKeys.has(keyOf(entry))) config.push(entry);

  const result = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${hostname}`];
  if (tty) result.push('TERM=xterm');
  for (const entry of config) {
    const key = keyOf(entry);
    const at = result.findIndex((e) => keyOf(e) === key);
    if (!entry.includes('=')) {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) result[at] = entry;
    else result.push(entry);
  }
  return result;
}

function keyOf(entry: string): string {
  const eq = entry.indexOf('=');
  return eq < 0 ? entry : entry.slice(0, eq);
}
