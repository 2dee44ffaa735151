/**
 * `minidocker tag` and `minidocker push`.
 *
 * ```
 * tag busybox 127.0.0.1:5000/x   → imageTag:  POST /images/busybox/tag?repo=127.0.0.1:5000/x&tag=latest   (201)
 * push 127.0.0.1:5000/x          → imagePush: POST /images/127.0.0.1:5000/x/push?tag=latest
 *                                             (X-Registry-Auth: e30=) → per-layer progress, like docker
 * ```
 * The typed calls are in `client/images.ts`.
 */
import { imagePush, imageTag } from '../../client/images.js';
import { NotImplementedError } from '../../errors.js';
import type { CommandContext } from '../context.js';
import { displayJsonMessages } from '../jsonmessage.js';
import { parseImageName } from './images.js';

/**
 * `minidocker tag SOURCE TARGET`: `POST /images/<SOURCE>/tag?repo=<name>&tag=<tag>`.
 * @returns 0.
 * @throws the daemon's error (404 for an unknown SOURCE); an Error for a TARGET with a digest.
 */
export async function tag(ctx: CommandContext, source: string, target: string): Promise<number> {
  // TODO(lesson-09): imageTag the source with repo and tag taken from the target name.
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
  // TODO(lesson-09): imagePush the name with its tag and print its progress.
  // HINT: imagePush (client/images.ts) yields the messages; displayJsonMessages (cli/jsonmessage.ts) prints them like docker.
  // HINT: print `Using default tag: latest` when the name had no tag; push parseImageName(…).familiarName.
  throw new NotImplementedError('lesson-09: push');
}
