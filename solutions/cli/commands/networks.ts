/**
 * Provided: `minidocker network ls|create|inspect|rm|connect|disconnect|prune`
 * (lesson 14's networks API), printed the way the docker CLI prints them.
 *
 * ```
 * network ls [-q] [-f name=x]     → networkList:   GET /networks[?filters=…]   → NETWORK ID  NAME  DRIVER  SCOPE (by name, naturally)
 * network create [-d] [--label] n → networkCreate: POST /networks/create      → prints the Id
 * network inspect n…              → networkInspect: GET /networks/n, each    → one JSON array, indented by 4
 * network rm n…                   → networkRemove: DELETE /networks/n, each  → prints each name removed
 * network connect [--alias a] n c → networkConnect: POST /networks/n/connect
 * network disconnect [-f] n c     → networkDisconnect: POST /networks/n/disconnect
 * network prune [-f] [--filter]   → networksPrune: POST /networks/prune      → Deleted Networks: + names
 * ```
 */
import { NotFoundError } from '../../errdefs.js';
import { networkConnect, networkCreate, networkDisconnect, networkInspect, networkList, networkRemove, networksPrune } from '../../client/networks.js';
import { shortId } from '../../units.js';
import { StatusError } from '../context.js';
import type { CommandContext } from '../context.js';
import { confirm, filtersOf, keyValues, validateLabel } from '../flag-values.js';
import { describeError, formatTable } from '../format.js';
import { naturalCompare } from '../network-format.js';

/** Flags of `minidocker network ls`. */
export interface NetworkLsOptions {
  /** `-q`: only the ids. */
  quiet?: boolean;
  /** `--no-trunc`: full 64-hex ids. */
  trunc?: boolean;
  /** `-f name=value` (repeatable): `name`, `id`, `label`, `driver`, `type`, `scope`, `dangling`. */
  filter?: string[];
}

/** Flags of `minidocker network create`. */
export interface NetworkCreateOptions {
  /** `-d`: `bridge` by default. */
  driver?: string;
  /** `-o key=value` (repeatable): driver options. */
  opt?: string[];
  /** `--label key[=value]` (repeatable). */
  label?: string[];
  internal?: boolean;
  attachable?: boolean;
}

/** Flags of `minidocker network prune`. */
export interface NetworkPruneOptions {
  /** `-f`: no confirmation asked. */
  force?: boolean;
  /** `--filter until=…|label=…` (repeatable). */
  filter?: string[];
}

/** The columns of `docker network ls`. */
export const NETWORKS_HEADER = ['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'];

const PRUNE_WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

/**
 * `minidocker network ls`: the networks the filters let through, sorted by
 * name in docker's natural order, as `NETWORK ID  NAME  DRIVER  SCOPE` with
 * 12-character ids (`-q`: the ids alone; `--no-trunc`: whole ids).
 * @returns 0.
 * @throws InvalidArgumentError `bad format of filter (expected name=value)` (exit 125).
 */
export async function listNetworks(ctx: CommandContext, options: NetworkLsOptions): Promise<number> {
  const filters = filtersOf(options.filter ?? [], '-f, --filter');
  const networks = (await networkList(ctx.client, { filters })).sort((a, b) => naturalCompare(a.Name, b.Name));
  const id = (full: string): string => (options.trunc === false ? full : shortId(full));
  if (options.quiet) {
    ctx.io.stdout.write(networks.map((n) => `${id(n.Id)}\n`).join(''));
    return 0;
  }
  ctx.io.stdout.write(formatTable([NETWORKS_HEADER, ...networks.map((n) => [id(n.Id), n.Name, n.Driver, n.Scope])]));
  return 0;
}

/**
 * `minidocker network create NAME`: the body the docker CLI sends (driver
 * `bridge` unless `-d`, labels and options as maps); prints the new Id.
 * @returns 0.
 * @throws InvalidArgumentError for a label without a name (exit 125); the daemon's errors (a name in use: 409).
 */
export async function createNetwork(ctx: CommandContext, name: string, options: NetworkCreateOptions): Promise<number> {
  const labels = (options.label ?? []).map(validateLabel);
  const created = await networkCreate(ctx.client, {
    Name: name,
    CheckDuplicate: true,
    Driver: options.driver ?? 'bridge',
    Scope: '',
    IPAM: { Driver: 'default', Options: {}, Config: [] },
    Internal: Boolean(options.internal),
    Attachable: Boolean(options.attachable),
    Ingress: false,
    Options: keyValues(options.opt ?? []),
    Labels: keyValues(labels),
  });
  ctx.io.stdout.write(`${created.Id}\n`);
  return 0;
}

/**
 * `minidocker network inspect NAME…`: the networks found, as one JSON array
 * indented by 4 spaces (`[]` when none is); the failures on stderr, after it.
 * @returns 0.
 * @throws StatusError 1 with one `Error response from daemon: …` line per network not found.
 */
export async function inspectNetworks(ctx: CommandContext, names: string[]): Promise<number> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await networkInspect(ctx.client, name));
    } catch (err) {
      errors.push(describeError(err));
    }
  }
  ctx.io.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/**
 * `minidocker network rm NAME…`: removes each in turn, printing each name
 * removed and each failure (on stderr); with `-f` a network that does not
 * exist is no failure.
 * @returns 0.
 * @throws StatusError 1 `exit status 1` after the failures, as docker.
 */
export async function removeNetworks(ctx: CommandContext, names: string[], options: { force?: boolean }): Promise<number> {
  let failed = false;
  for (const name of names) {
    try {
      await networkRemove(ctx.client, name);
      ctx.io.stdout.write(`${name}\n`);
    } catch (err) {
      if (options.force && err instanceof NotFoundError) continue;
      ctx.io.stderr.write(`${describeError(err)}\n`);
      failed = true;
    }
  }
  if (failed) throw new StatusError(1, 'exit status 1');
  return 0;
}

/** `minidocker network connect [--alias a,b] NETWORK CONTAINER`: prints nothing. @returns 0. */
export async function connectNetwork(ctx: CommandContext, network: string, container: string, options: { alias?: string[] }): Promise<number> {
  // docker's --alias is a string slice: `--alias a,b` is two aliases.
  const aliases = (options.alias ?? []).flatMap((a) => a.split(','));
  await networkConnect(ctx.client, network, { Container: container, EndpointConfig: { Aliases: aliases } });
  return 0;
}

/** `minidocker network disconnect [-f] NETWORK CONTAINER`: prints nothing. @returns 0. */
export async function disconnectNetwork(ctx: CommandContext, network: string, container: string, options: { force?: boolean }): Promise<number> {
  await networkDisconnect(ctx.client, network, { Container: container, Force: Boolean(options.force) });
  return 0;
}

/**
 * `minidocker network prune`: asks first unless `-f` (anything but `y` or
 * `yes` ends it quietly), then prints `Deleted Networks:` and the names
 * removed, and a blank line, as docker; nothing when none was removed.
 * @returns 0.
 */
export async function pruneNetworks(ctx: CommandContext, options: NetworkPruneOptions): Promise<number> {
  const filters = filtersOf(options.filter ?? [], '--filter');
  if (!options.force && !(await confirm(ctx.io, PRUNE_WARNING))) return 0;
  const deleted = (await networksPrune(ctx.client, { filters })).NetworksDeleted ?? [];
  if (deleted.length > 0) ctx.io.stdout.write(`Deleted Networks:\n${deleted.map((name) => `${name}\n`).join('')}\n`);
  return 0;
}
