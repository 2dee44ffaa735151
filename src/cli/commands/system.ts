/**
 * `minidocker version` and `minidocker info`: one GET each, printed like
 * `docker version` / `docker info`.
 *
 * ```
 * version → systemVersion: GET /version → Client: … (always)  Server: Engine: … (when the daemon answered)
 * info    → systemInfo:    GET /info    → Client: …  Server: Containers: 3 / Running: 1 / … / Total Memory: 23.47GiB
 * ```
 */
import type { SystemVersion } from '../../api/types.js';
import { CLIENT_MAX_API_VERSION } from '../../client/engine-client.js';
import { systemInfo, systemVersion } from '../../client/system.js';
import { packageVersion } from '../../config.js';
import { NotImplementedError } from '../../errors.js';
import { bytesSize } from '../../units.js';
import type { CommandContext } from '../context.js';
import { formatTable } from '../format.js';

/**
 * `minidocker version`: prints the Client section, then asks `GET /version`
 * (`systemVersion`) and prints the Server section (its Engine component,
 * then any other components). docker lays both out with a tabwriter of
 * minimum width 20.
 * @returns 0.
 * @throws the client's error when the daemon cannot be asked; the Client
 *   section has been printed by then, as docker does.
 */
export async function version(ctx: CommandContext): Promise<number> {
  // TODO(lesson-02): Ask systemVersion and print a Client section, then Server: / Engine: with the daemon's fields.
  // HINT: lay out each block with formatTable(rows, 20, 1) — docker's tabwriter for version has minimum width 20.
  // HINT: if the request throws, print the Client section (API version CLIENT_MAX_API_VERSION) and rethrow.
  // HINT: after a successful request, `await ctx.client.negotiate()` is the API version in use (no extra request).
  void ctx;
  throw new NotImplementedError('lesson-02: version');
}

/**
 * `minidocker info`: asks `GET /info` (`systemInfo`) and prints a Client section and a
 * Server section the way `docker info` does (`" Label: value"` lines; missing
 * numbers print as 0, missing strings are left out). Daemon warnings go to stderr.
 * @returns 0.
 * @throws the client's error when the daemon cannot be asked (after the Client section).
 */
export async function info(ctx: CommandContext): Promise<number> {
  // TODO(lesson-02): Ask systemInfo and print "Client:", "Server:" and docker info's " Label: value" lines.
  // HINT: " Containers: 3", "  Running: 1", … " CPUs: 2", " Total Memory: " + bytesSize(MemTotal), " Docker Root Dir: …".
  // HINT: missing numbers print as 0; missing strings (Name, ID, Kernel Version, …) leave their line out.
  void ctx;
  throw new NotImplementedError('lesson-02: info');
}
