/**
 * Provided: `minidocker run`'s volume and file-system flags, read as the
 * docker CLI 28 reads them (cli/command/container/opts.go,
 * cli/compose/loader/volume.go), with its error messages. Parsing mount syntax
 * teaches nothing about mounts; lesson 15's daemon side is where they are learnt.
 *
 * ```
 * -v /data                 ─▶ Volumes {"/data": {}}                           (an anonymous volume)
 * -v db:/var/lib/db:ro     ─▶ HostConfig.Binds ["db:/var/lib/db:ro"]          (a named volume: no `.`, `/` or `~` first)
 * -v ./site:/www:ro,Z      ─▶ HostConfig.Binds ["<cwd>/site:/www:ro,Z"]       (a bind; `.`-relative made absolute; options as given)
 * --mount type=tmpfs,dst=/cache   ─▶ HostConfig.Mounts [{Type:"tmpfs", Target:"/cache"}]   (cli/mount-flag.ts)
 * --tmpfs /run:size=64m    ─▶ HostConfig.Tmpfs {"/run": "size=64m"}
 * --read-only              ─▶ HostConfig.ReadonlyRootfs true
 * ```
 * Like docker, the CLI checks only the syntax: `z`, `Z`, `nocopy` and unknown
 * options travel in the bind as given, and the daemon accepts or refuses them.
 */
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { ContainerCreateRequest, HostConfig } from '../api/types.js';
import { PROPAGATIONS } from '../api/volume-types.js';
import type { Propagation } from '../api/volume-types.js';
import { parseMountSpec } from './mount-flag.js';

/** The volume flags of `run`, as commander hands them over (repeatable ones collected). */
export interface VolumeFlags {
  /** `-v [src:]dst[:opts]`. */
  volume?: string[];
  /** `--mount type=…,source=…,target=…`. */
  mount?: string[];
  /** `--tmpfs /path[:opts]`. */
  tmpfs?: string[];
  /** `--read-only`. */
  readOnly?: boolean;
}

/** What the flags add to a create body: merge it in with {@link withVolumes}. */
export interface VolumesRequest {
  /** Anonymous volumes by container path. */
  Volumes?: Record<string, object>;
  HostConfig: Pick<HostConfig, 'Binds' | 'Mounts' | 'Tmpfs' | 'ReadonlyRootfs'>;
}

/** One `-v` value as docker's `loader.ParseVolume` splits it. */
export interface VolumeSpec {
  /** `bind` when the source is a path (`.`, `/`, `~` first, or a Windows drive), else `volume`. */
  type: 'bind' | 'volume';
  /** '' for an anonymous volume. */
  source: string;
  target: string;
  readOnly: boolean;
  /** `nocopy` was among the options. */
  noCopy: boolean;
  /** A propagation option (`rshared` …), if any. */
  propagation?: Propagation;
}

/**
 * The create body's volume part for the flags. Only what a flag gave is set,
 * so a `run` without these flags sends the body lesson 02 built. Repeated `-v`
 * values count once, as in docker; a `.`-relative bind source is made absolute against `cwd`.
 * @throws InvalidArgumentError in docker's words: `invalid spec: :/x: empty section between colons`,
 *   `invalid argument "type=bind" for "--mount" flag: target is required`, … (run exits 125).
 */
export function volumesOf(flags: VolumeFlags, cwd: string = process.cwd()): VolumesRequest {
  // --mount is checked as pflag reads it, before anything else.
  const mounts = (flags.mount ?? []).map((value) => {
    try {
      return parseMountSpec(value, cwd);
    } catch (err) {
      throw new InvalidArgumentError(`invalid argument ${JSON.stringify(value)} for "--mount" flag: ${(err as Error).message}`);
    }
  });
  const binds: string[] = [];
  const anonymous: Record<string, object> = {};
  for (const spec of new Set(flags.volume ?? [])) {
    let parsed: VolumeSpec;
    try {
      parsed = parseVolumeSpec(spec);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    if (parsed.source === '') anonymous[spec] = {};
    else binds.push(parsed.type === 'bind' ? absoluteBind(spec, cwd) : spec);
  }
  const tmpfs: Record<string, string> = {};
  for (const value of flags.tmpfs ?? []) {
    const colon = value.indexOf(':');
    tmpfs[colon < 0 ? value : value.slice(0, colon)] = colon < 0 ? '' : value.slice(colon + 1);
  }
  const host: VolumesRequest['HostConfig'] = {};
  if (binds.length > 0) host.Binds = binds;
  if (mounts.length > 0) host.Mounts = mounts;
  if (Object.keys(tmpfs).length > 0) host.Tmpfs = tmpfs;
  if (flags.readOnly) host.ReadonlyRootfs = true;
  return { ...(Object.keys(anonymous).length > 0 ? { Volumes: anonymous } : {}), HostConfig: host };
}

/**
 * The create body with the flags' part merged in: `HostConfig` field by field
 * (the flags win), `Volumes` at the top level. Without `volumes`, `body` as it is.
 */
export function withVolumes(body: ContainerCreateRequest, volumes: VolumesRequest | undefined): ContainerCreateRequest {
  if (volumes === undefined) return body;
  const { HostConfig: host, ...config } = volumes;
  return { ...body, ...config, HostConfig: { ...body.HostConfig, ...host } };
}

/**
 * One `-v` value split the way docker's `loader.ParseVolume` does: sections
 * between colons (a letter and a colon, `c:`, stay together as a Windows
 * drive), `source:target[:options]`, or a lone target (anonymous). Options
 * `ro`, `rw`, `nocopy` and a propagation are read; others are ignored here.
 * @throws Error `invalid empty volume spec`, `invalid spec: <spec>: empty section between colons`
 *   or `invalid spec: <spec>: too many colons`.
 */
export function parseVolumeSpec(spec: string): VolumeSpec {
  const volume: VolumeSpec = { type: 'volume', source: '', target: '', readOnly: false, noCopy: false };
  if (spec === '') throw new Error('invalid empty volume spec');
  if (Buffer.byteLength(spec) <= 2) return { ...volume, target: spec };
  let buffer: string[] = [];
  for (const char of [...spec, undefined]) {
    if (char === ':' && isWindowsDrive(buffer)) {
      buffer.push(char);
    } else if (char === ':' || char === undefined) {
      const section = buffer.join('');
      if (section === '') throw new Error(`invalid spec: ${spec}: empty section between colons`);
      if (volume.source === '' && char === undefined) volume.target = section;
      else if (volume.source === '') volume.source = section;
      else if (volume.target === '') volume.target = section;
      else if (char === ':') throw new Error(`invalid spec: ${spec}: too many colons`);
      else readOptions(section, volume);
      buffer = [];
    } else {
      buffer.push(char);
    }
  }
  volume.type = volume.source !== '' && isFilePath(volume.source) ? 'bind' : 'volume';
  return volume;
}

function readOptions(section: string, volume: VolumeSpec): void {
  for (const option of section.split(',')) {
    if (option === 'ro') volume.readOnly = true;
    else if (option === 'rw') volume.readOnly = false;
    else if (option === 'nocopy') volume.noCopy = true;
    else if ((PROPAGATIONS as readonly string[]).includes(option)) volume.propagation = option as Propagation;
  }
}

// A single letter before a colon: `c:` of `c:\data`.
function isWindowsDrive(buffer: string[]): boolean {
  return buffer.length === 1 && /^\p{L}$/u.test(buffer[0] ?? '');
}

// docker's isFilePath: a source that names a path rather than a volume.
function isFilePath(source: string): boolean {
  if ('./~'.includes(source[0] ?? '')) return true;
  const chars = [...source];
  if (chars.length === 1) return false;
  return source.startsWith('\\\\') || (/^\p{L}$/u.test(chars[0] ?? '') && chars[1] === ':');
}

// docker 28 makes a `.`-relative host path absolute, as `filepath.Abs` would (cleaned).
function absoluteBind(spec: string, cwd: string): string {
  const colon = spec.indexOf(':');
  if (colon < 0) return spec;
  const host = spec.slice(0, colon);
  if (path.isAbsolute(host) || !host.startsWith('.')) return spec;
  return path.resolve(cwd, host) + spec.slice(colon);
}
