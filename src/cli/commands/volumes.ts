/**
 * Provided: `minidocker volume create|ls|inspect|rm|prune` (lesson 15's
 * volumes API), printed the way the docker CLI 28 prints them.
 *
 * ```
 * volume create [-d] [-o k=v] [--label] [NAME] → volumeCreate:  POST /volumes/create     → prints the name
 * volume ls [-q] [-f dangling=true]            → volumeList:    GET /volumes[?filters=]  → DRIVER  VOLUME NAME (by name, naturally)
 * volume inspect NAME…                         → volumeInspect: GET /volumes/NAME, each  → one JSON array, indented by 4
 * volume rm [-f] NAME…                         → volumeRemove:  DELETE /volumes/NAME[?force=1], each → prints each name removed
 * volume prune [-a] [-f] [--filter]            → volumesPrune:  POST /volumes/prune[?filters={"all":{"true":true}}]
 *                                                → Deleted Volumes: + names, Total reclaimed space: …
 * ```
 */
import { volumeCreate, volumeInspect, volumeList, volumeRemove, volumesPrune } from '../../client/volumes.js';
import type { Volume, VolumeCreateRequest } from '../../api/volume-types.js';
import { StatusError } from '../context.js';
import type { CommandContext } from '../context.js';
import { confirm, filtersOf, keyValues, validateLabel } from '../flag-values.js';
import { describeError, formatTable } from '../format.js';
import { naturalCompare } from '../network-format.js';
import { VOLUMES_HEADER, humanSize4, volumesInspectJson } from '../volume-format.js';

/** Flags of `minidocker volume create`. */
export interface VolumeCreateOptions {
  /** `-d`: `local` by default. */
  driver?: string;
  /** `-o key=value` (repeatable): driver options (`type`, `device`, `o` for `local`). */
  opt?: string[];
  /** `--label key[=value]` (repeatable). */
  label?: string[];
  /** `--name` (hidden in docker): the name, instead of the argument. */
  name?: string;
}

/** Flags of `minidocker volume ls`. */
export interface VolumeLsOptions {
  /** `-q`: only the names. */
  quiet?: boolean;
  /** `-f name=value` (repeatable): `dangling`, `driver`, `label`, `name`. */
  filter?: string[];
}

/** Flags of `minidocker volume prune`. */
export interface VolumePruneOptions {
  /** `-a`: named volumes too, not only anonymous ones (`all=true`). */
  all?: boolean;
  /** `-f`: no confirmation asked. */
  force?: boolean;
  /** `--filter label=…` (repeatable). */
  filter?: string[];
}

const ANONYMOUS_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

/**
 * `minidocker volume create [NAME]`: the body the docker CLI sends (driver
 * `local` unless `-d`; options, labels and name only when given); prints the
 * volume's name, the daemon's choice when none was given.
 * @returns 0.
 * @throws InvalidArgumentError for a label without a name (exit 125); StatusError 1 for a name given twice.
 */
export async function createVolume(ctx: CommandContext, name: string | undefined, options: VolumeCreateOptions): Promise<number> {
  if (name !== undefined && options.name !== undefined) {
    throw new StatusError(1, 'conflicting options: cannot specify a volume-name through both --name and as a positional arg');
  }
  const labels = (options.label ?? []).map(validateLabel);
  const request: VolumeCreateRequest = {};
  const driver = options.driver ?? 'local';
  if (driver !== '') request.Driver = driver;
  // Sorted, as Go writes a map.
  if (options.opt?.length) request.DriverOpts = sortedByKey(keyValues(options.opt));
  if (labels.length > 0) request.Labels = sortedByKey(keyValues(labels));
  const wanted = name ?? options.name;
  if (wanted) request.Name = wanted;
  const volume = await volumeCreate(ctx.client, request);
  ctx.io.stdout.write(`${volume.Name}\n`);
  return 0;
}

function sortedByKey(map: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * `minidocker volume ls`: the volumes the filters let through, sorted by name
 * in docker's natural order, as `DRIVER  VOLUME NAME` (`-q`: the names alone).
 * The daemon's warnings are not shown, as docker does not show them.
 * @returns 0.
 * @throws InvalidArgumentError `bad format of filter (expected name=value)` (exit 125).
 */
export async function listVolumes(ctx: CommandContext, options: VolumeLsOptions): Promise<number> {
  const filters = filtersOf(options.filter ?? [], '-f, --filter');
  const volumes = ((await volumeList(ctx.client, { filters })).Volumes ?? []).sort((a, b) => naturalCompare(a.Name, b.Name));
  if (options.quiet) {
    ctx.io.stdout.write(volumes.map((v) => `${v.Name}\n`).join(''));
    return 0;
  }
  ctx.io.stdout.write(formatTable([VOLUMES_HEADER, ...volumes.map((v) => [v.Driver, v.Name])]));
  return 0;
}

/**
 * `minidocker volume inspect NAME…`: the volumes found, as one JSON array
 * indented by 4 spaces (`[]` when none is); the failures on stderr, after it.
 * @returns 0.
 * @throws StatusError 1 with one `Error response from daemon: …` line per volume not found.
 */
export async function inspectVolumes(ctx: CommandContext, names: string[]): Promise<number> {
  const found: Volume[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await volumeInspect(ctx.client, name));
    } catch (err) {
      errors.push(describeError(err));
    }
  }
  ctx.io.stdout.write(volumesInspectJson(found));
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/**
 * `minidocker volume rm [-f] NAME…`: removes each in turn (`?force=1` with
 * `-f`: the daemon then ignores a volume that does not exist), printing each
 * name removed.
 * @returns 0.
 * @throws StatusError 1 with the daemon's error for each volume not removed, once all were tried.
 */
export async function removeVolumes(ctx: CommandContext, names: string[], options: { force?: boolean }): Promise<number> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      await volumeRemove(ctx.client, name, { force: options.force });
      ctx.io.stdout.write(`${name}\n`);
    } catch (err) {
      errors.push(describeError(err));
    }
  }
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/**
 * `minidocker volume prune`: asks first unless `-f` (anything but `y` or `yes`
 * ends it quietly), then prints `Deleted Volumes:`, the names and a blank line
 * when some were removed, and always `Total reclaimed space: <size>`. Only
 * anonymous volumes go, as with docker 23 and later, unless `-a` (sent as the
 * filter `all=true`).
 * @returns 0.
 * @throws StatusError 1 for `-a` with a filter `all=…`; InvalidArgumentError for a bad filter (exit 125).
 */
export async function pruneVolumes(ctx: CommandContext, options: VolumePruneOptions): Promise<number> {
  const filters = filtersOf(options.filter ?? [], '--filter');
  if (options.all) {
    if (filters.all !== undefined) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
    filters.all = ['true'];
  }
  if (!options.force && !(await confirm(ctx.io, options.all ? ALL_WARNING : ANONYMOUS_WARNING))) return 0;
  const report = await volumesPrune(ctx.client, { filters });
  const deleted = report.VolumesDeleted ?? [];
  let out = '';
  if (deleted.length > 0) out += `Deleted Volumes:\n${deleted.map((name) => `${name}\n`).join('')}\n`;
  out += `Total reclaimed space: ${humanSize4(deleted.length > 0 ? report.SpaceReclaimed : 0)}\n`;
  ctx.io.stdout.write(out);
  return 0;
}
