/**
 * `minidocker tag` and `minidocker push`.
 *
 * ```
 * tag busybox 127.0.0.1:5000/x   → POST /images/busybox/tag?repo=127.0.0.1:5000/x&tag=latest   (201)
 * push 127.0.0.1:5000/x          → POST /images/127.0.0.1:5000/x/push?tag=latest
 *                                  (X-Registry-Auth: e30=) → per-layer progress, like docker
 * ```
 */
import type { JSONMessage } from '../../api/types.js';
import { NotImplementedError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { displayJsonMessages } from '../jsonmessage.js';
import { parseImageName } from './images.js';

// The `{}` auth config, base64: what the docker CLI sends when you are not logged in.
const NO_AUTH = 'e30=';

/**
 * `minidocker tag SOURCE TARGET`: `POST /images/<SOURCE>/tag?repo=<name>&tag=<tag>`.
 * @returns 0.
 * @throws the daemon's error (404 for an unknown SOURCE); an Error for a TARGET with a digest.
 */
export async function tag(ctx: CommandContext, source: string, target: string): Promise<number> {
  // TODO(lesson-09): POST /images/<source>/tag with repo and tag taken from the target name.
  // HINT: parseImageName(target): repo = familiarName, tag = tag; a digest in the target is an error.
  throw new NotImplementedError('lesson-09: tag');
}

/**
 * `minidocker push NAME[:TAG]`: `POST /images/<name>/push?tag=<tag>` with
 * `X-Registry-Auth: e30=`, printing `Using default tag: latest` when no tag
 * was given, then the progress (see {@link displayJsonMessages}).
 * @returns 0.
 */
export async function push(ctx: CommandContext, reference: string): Promise<number> {
  // TODO(lesson-09): POST /images/<name>/push?tag= with X-Registry-Auth and print its progress.
  // HINT: client.jsonLines gives the messages; displayJsonMessages (cli/jsonmessage.ts) prints them like docker.
  // HINT: print `Using default tag: latest` when the name had no tag; ctx.client.jsonLines → displayJsonMessages.
  throw new NotImplementedError('lesson-09: push');
}
