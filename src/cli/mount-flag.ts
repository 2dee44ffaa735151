/**
 * Provided: `minidocker run --mount`, read as the docker CLI 28 reads it
 * (opts/mount.go): one CSV record of `key=value` fields, keys in any case,
 * `type` volume unless given, with docker's error messages.
 *
 * ```
 * type=bind,src=./data,dst=/data,readonly       ─▶ {Type:"bind", Source:"<cwd>/data", Target:"/data", ReadOnly:true}
 * type=volume,source=db,target=/var/lib/db,volume-opt=type=tmpfs,volume-nocopy
 *                                               ─▶ {Type:"volume", Source:"db", Target:…, VolumeOptions:{NoCopy:true, DriverConfig:{Options:{type:"tmpfs"}}}}
 * type=tmpfs,destination=/run,tmpfs-size=64m,tmpfs-mode=1770
 *                                               ─▶ {Type:"tmpfs", Target:"/run", TmpfsOptions:{SizeBytes:67108864, Mode:1016}}
 * "src=/a,b",dst=/x                             ─▶ a quoted field keeps its comma (Go's encoding/csv)
 * ```
 */
import path from 'node:path';
import type { MountSpec } from '../api/volume-types.js';

/**
 * One `--mount` value as docker's `MountOpt.Set` reads it. A relative source
 * starting with `.` is made absolute against `cwd`, as docker does. Fields
 * left empty are not sent (Go's `omitempty`), but an options object a field
 * asked for is, even empty (`volume-nocopy` sends `DriverConfig: {}`).
 * @throws Error with docker's reason (`target is required`, `unexpected key 'x' in 'x=1'`,
 *   `cannot mix 'volume-*' options with mount type 'bind'`, …); the caller wraps it in pflag's words.
 */
export function parseMountSpec(value: string, cwd: string = process.cwd()): MountSpec {
  let type = 'volume';
  let source = '';
  let target = '';
  let readOnly = false;
  let consistency = '';
  let bind: NonNullable<MountSpec['BindOptions']> | undefined;
  let volume: { NoCopy?: boolean; Labels: Record<string, string>; Subpath?: string; Driver: string; Options?: Record<string, string> } | undefined;
  let image: { Subpath?: string } | undefined;
  let tmpfs: { SizeBytes?: number; Mode?: number } | undefined;
  const volumeOptions = () => (volume ??= { Labels: {}, Driver: '' });
  const bindOptions = () => (bind ??= {});
  for (const field of readCsvRecord(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') readOnly = true;
      else if (key === 'volume-nocopy') volumeOptions().NoCopy = true;
      else if (key === 'bind-nonrecursive') bindOptions().NonRecursive = true;
      else throw new Error(`invalid field '${field}' must be a key=value pair`);
      continue;
    }
    const invalid = () => new Error(`invalid value for ${key}: ${val}`);
    switch (key) {
      case 'type':
        type = val.toLowerCase();
        break;
      case 'source':
      case 'src':
        source = !path.isAbsolute(val) && val.startsWith('.') ? path.resolve(cwd, val) : val;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        target = val;
        break;
      case 'readonly':
      case 'ro':
        readOnly = parseBool(val, invalid);
        break;
      case 'consistency':
        consistency = val.toLowerCase();
        break;
      case 'bind-propagation':
        bindOptions().Propagation = val.toLowerCase();
        break;
      case 'bind-nonrecursive':
        bindOptions().NonRecursive = parseBool(val, invalid);
        break;
      case 'bind-recursive':
        if (val === 'disabled') bindOptions().NonRecursive = true;
        else if (val === 'writable') bindOptions().ReadOnlyNonRecursive = true;
        else if (val === 'readonly') bindOptions().ReadOnlyForceRecursive = true;
        else if (val !== 'enabled') throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
        break;
      case 'volume-subpath':
        volumeOptions().Subpath = val;
        break;
      case 'volume-nocopy':
        volumeOptions().NoCopy = parseBool(val, () => new Error(`invalid value for volume-nocopy: ${val}`));
        break;
      case 'volume-label':
        setOnMap(volumeOptions().Labels, val);
        break;
      case 'volume-driver':
        volumeOptions().Driver = val;
        break;
      case 'volume-opt':
        setOnMap((volumeOptions().Options ??= {}), val);
        break;
      case 'image-subpath':
        (image ??= {}).Subpath = val;
        break;
      case 'tmpfs-size': {
        const size = ramInBytes(val);
        if (size === undefined) throw invalid();
        (tmpfs ??= {}).SizeBytes = size;
        break;
      }
      case 'tmpfs-mode':
        if (!/^[0-7]+$/.test(val) || Number.parseInt(val, 8) > 0xffffffff) throw invalid();
        (tmpfs ??= {}).Mode = Number.parseInt(val, 8);
        break;
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  // docker's checks once every field is read, in its order.
  if (type === '') throw new Error('type is required');
  if (target === '') throw new Error('target is required');
  const mix = (options: object | undefined, prefix: string) => {
    if (options !== undefined && type !== prefix) throw new Error(`cannot mix '${prefix}-*' options with mount type '${type}'`);
  };
  mix(volume, 'volume');
  mix(image, 'image');
  mix(bind, 'bind');
  mix(tmpfs, 'tmpfs');
  if (bind?.ReadOnlyNonRecursive && !readOnly) throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  if (bind?.ReadOnlyForceRecursive) {
    if (!readOnly) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (bind.Propagation !== 'rprivate') throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
  }
  // In docker's field order, leaving out what Go's omitempty leaves out.
  const mount: MountSpec = { Type: type };
  if (source !== '') mount.Source = source;
  mount.Target = target;
  if (readOnly) mount.ReadOnly = true;
  if (consistency !== '') mount.Consistency = consistency;
  if (bind) mount.BindOptions = withoutEmpty(bind);
  if (volume) {
    const { NoCopy, Labels, Subpath, Driver, Options } = volume;
    const driver = withoutEmpty({ Name: Driver, Options: Options && Object.keys(Options).length > 0 ? Options : undefined });
    mount.VolumeOptions = withoutEmpty({ NoCopy, Labels: Object.keys(Labels).length > 0 ? Labels : undefined, Subpath, DriverConfig: driver });
  }
  if (image) mount.ImageOptions = withoutEmpty(image);
  if (tmpfs) mount.TmpfsOptions = withoutEmpty(tmpfs);
  return mount;
}

// The fields Go's omitempty keeps: not undefined, false, '' or 0.
function withoutEmpty<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== false && v !== '' && v !== 0)) as T;
}

// `k=v` into a map (split at the first `=`); an empty key is ignored, as docker's setValueOnMap.
function setOnMap(target: Record<string, string>, value: string): void {
  const eq = value.indexOf('=');
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key !== '') target[key] = eq < 0 ? '' : value.slice(eq + 1);
}

// Go's strconv.ParseBool.
function parseBool(value: string, invalid: () => Error): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw invalid();
}

/**
 * A size as go-units' `RAMInBytes` reads it: binary units (`64m` = 64 MiB),
 * optionally followed by `i` and `b`, any case: `512`, `1.5k`, `64MiB`, `1g`.
 * @returns the bytes, or undefined for text that is no size.
 */
export function ramInBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!match || !/^\d+(?:\.\d+)?$/.test(match[1] ?? '')) return undefined; // `1.2.3` fails Go's ParseFloat
  const power = match[2] === undefined ? 0 : 'kmgtp'.indexOf(match[2].toLowerCase()) + 1;
  return Math.trunc(Number(match[1]) * 1024 ** power);
}

/**
 * The first record of `text` as Go's `encoding/csv` reads it: fields split at
 * commas; a field that starts with `"` is quoted (`""` is a quote in it, and
 * it may hold commas). An unquoted field may not hold a quote.
 * @throws Error `EOF` for empty text; `parse error on line 1, column N: …` as Go words it.
 */
export function readCsvRecord(text: string): string[] {
  const line = text.split(/\r?\n/)[0] ?? '';
  if (text === '' || line === '') throw new Error('EOF');
  const fields: string[] = [];
  const column = (index: number) => Buffer.byteLength(line.slice(0, index)) + 1;
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote < 0) throw new Error(`parse error on line 1, column ${column(line.length)}: extraneous or missing " in quoted-field`);
        field += line.slice(j, quote);
        const next = line[quote + 1];
        if (next === '"') {
          field += '"';
          j = quote + 2;
        } else if (next === ',' || next === undefined) {
          i = quote + 1;
          break;
        } else {
          throw new Error(`parse error on line 1, column ${column(quote)}: extraneous or missing " in quoted-field`);
        }
      }
      fields.push(field);
    } else {
      const comma = line.indexOf(',', i);
      const field = line.slice(i, comma < 0 ? line.length : comma);
      const quote = field.indexOf('"');
      if (quote >= 0) throw new Error(`parse error on line 1, column ${column(i + quote)}: bare " in non-quoted-field`);
      fields.push(field);
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // past the comma: a trailing comma leaves one more, empty, field
    if (i >= line.length) {
      fields.push('');
      return fields;
    }
  }
}
