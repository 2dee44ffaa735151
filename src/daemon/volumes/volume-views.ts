/**
 * Provided: what `GET /volumes` and `GET /volumes/{name}` answer, docker's
 * list filters, and who uses a volume (any container whose mounts name it,
 * running or not: that is what makes a volume "in use" for docker).
 */
import { InvalidParameterError } from '../../errdefs.js';
import type { ContainerRecord } from '../containers/container-store.js';
import { hasLabel, parseFilterQuery } from '../server/filters.js';
import type { VolumeRecord } from './volume-store.js';

/** The filters `GET /volumes?filters=` and prune understand. */
export const VOLUME_FILTERS = ['dangling', 'driver', 'label', 'label!', 'name', 'all'] as const;

/** Parsed `?filters=`. */
export type VolumeFilters = Partial<Record<(typeof VOLUME_FILTERS)[number], string[]>>;

/** The containers whose mounts use volume `name`. */
export function usersOf(name: string, containers: readonly ContainerRecord[]): ContainerRecord[] {
  return containers.filter((c) => (c.MountPoints ?? []).some((m) => m.Type === 'volume' && m.Name === name));
}

/** The host directory of a bind volume (`-o type=none -o o=bind -o device=/path`); undefined for a plain one. */
export function bindDevice(volume: VolumeRecord): string | undefined {
  return volume.Options.type === 'none' && (volume.Options.o ?? '').split(',').includes('bind') ? volume.Options.device : undefined;
}

/** A volume as docker shows it, in docker's field order; empty labels and options are null, as docker's are. */
export function toVolumeView(volume: VolumeRecord): Record<string, unknown> {
  const { CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope } = volume;
  const orNull = (map: Record<string, string>) => (Object.keys(map).length > 0 ? map : null);
  return { CreatedAt, Driver, Labels: orNull(Labels), Mountpoint, Name, Options: orNull(Options), Scope };
}

/**
 * Parses `?filters=` (docker's JSON: `{"label":["a=b"]}` or `{"label":{"a=b":true}}`).
 * @throws InvalidParameterError `invalid filter '<key>'` for one docker does not have here, or bad JSON.
 */
export function parseVolumeFilters(text: string | undefined, allowed: readonly string[] = VOLUME_FILTERS): VolumeFilters {
  return parseFilterQuery(text, allowed);
}

/**
 * Whether a volume passes every filter, docker's way: `name` matches a part,
 * `driver` exactly, `dangling=true` keeps volumes no container uses, every
 * `label` must match and no `label!` may.
 * @throws InvalidParameterError for a `dangling` value docker refuses.
 */
export function matchesVolumeFilters(volume: VolumeRecord, filters: VolumeFilters, users: number): boolean {
  if (filters.name?.length && !filters.name.some((n) => volume.Name.includes(n))) return false;
  if (filters.driver?.length && !filters.driver.includes(volume.Driver)) return false;
  for (const value of filters.dangling ?? []) {
    if (!['true', 'false', '1', '0'].includes(value)) throw new InvalidParameterError(`invalid filter 'dangling=${value}'`);
    if ((users === 0) !== (value === 'true' || value === '1')) return false;
  }
  if (!(filters.label ?? []).every((l) => hasLabel(volume.Labels, l))) return false;
  if ((filters['label!'] ?? []).some((l) => hasLabel(volume.Labels, l))) return false;
  return true;
}
