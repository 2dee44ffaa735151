/**
 * Provided: `minidocker port`, printed as the docker CLI prints it, from
 * the container's inspect (lesson 14's daemon fills `NetworkSettings.Ports`).
 *
 * ```
 * port web          → containerInspect: GET /containers/web/json → 80/tcp -> 127.0.0.1:49153   (one line per host address)
 * port web 80[/tcp] → the same, for one port                     → 127.0.0.1:49153
 * ```
 */
import { containerInspect } from '../../client/containers.js';
import type { CommandContext } from '../context.js';
import { joinHostPort, naturalCompare } from '../network-format.js';

/**
 * `minidocker port CONTAINER [PRIVATE_PORT[/PROTO]]`: every published port
 * as `80/tcp -> 127.0.0.1:49153`, or with a port given (tcp unless a
 * protocol is) just its host addresses; lines in docker's natural order.
 * Nothing is printed for a container that publishes nothing.
 * @returns 0.
 * @throws Error `Error: No public port '81/tcp' published for web` (exit 1), as
 *   docker; `Error: invalid port (x): …` for a port that is not a number.
 */
export async function port(ctx: CommandContext, container: string, privatePort?: string): Promise<number> {
  const inspect = await containerInspect(ctx.client, container);
  const ports = inspect.NetworkSettings?.Ports ?? {};
  const lines: string[] = [];
  if (privatePort !== undefined) {
    const slash = privatePort.indexOf('/');
    const number = slash < 0 ? privatePort : privatePort.slice(0, slash);
    const proto = (slash < 0 ? '' : privatePort.slice(slash + 1)) || 'tcp';
    if (!/^[0-9]+$/.test(number) || Number(number) > 65535) {
      const reason = /^[0-9]+$/.test(number) ? 'value out of range' : 'invalid syntax';
      throw new Error(`Error: invalid port (${number}): strconv.ParseUint: parsing ${JSON.stringify(number)}: ${reason}`);
    }
    const frontends = ports[`${number}/${proto}`] ?? [];
    if (frontends.length === 0) throw new Error(`Error: No public port '${privatePort}' published for ${container}`);
    for (const f of frontends) lines.push(joinHostPort(f.HostIp, f.HostPort));
  } else {
    for (const [from, frontends] of Object.entries(ports)) {
      for (const f of frontends ?? []) lines.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
    }
  }
  if (lines.length > 0) ctx.io.stdout.write(`${lines.sort(naturalCompare).join('\n')}\n`);
  return 0;
}
