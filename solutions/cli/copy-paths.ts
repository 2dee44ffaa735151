/**
 * Provided: the path rules of `docker cp` (moby/go-archive's copy.go, the
 * docker CLI's cp.go), in POSIX paths. Which directory a tar is extracted
 * into, and what its first entry is renamed to, decide every case of cp:
 *
 * ```
 * source          destination            extract into    first entry renamed
 * file  f         existing dir  /d       /d              —            → /d/f
 * file  f         existing file /d/g     /d              f → g        → /d/g replaced
 * file  f         missing       /d/new   /d              f → new      → /d/new
 * file  f         missing       /d/new/  —  "no such directory"
 * dir   s         existing dir  /d       /d              —            → /d/s/…
 * dir   s         missing       /d/new   /d              s → new      → /d/new/…
 * dir   s/.       existing dir  /d       /d              —  (./…)     → /d/… (the contents)
 * dir   s         existing file          —  "cannot copy directory"
 * ```
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';

/** What cp knows about one side of a copy (go-archive's `CopyInfo`). */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  /** The name the source's first entry must get instead of its own (a followed symlink's name). */
  rebaseName: string;
}

/** Where a copy's tar goes: extracted into `dstDir`, its entries renamed by `rebase` [from, to] when set. */
export interface PreparedCopy {
  dstDir: string;
  rebase?: [string, string];
}

/** Go's `filepath.Clean` for POSIX paths: no `.`, no `x/..`, no repeated or trailing `/`; '' is `.`. */
export function goClean(p: string): string {
  const rooted = p.startsWith('/');
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') parts.push(seg);
    else if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else if (!rooted) parts.push('..');
  }
  const cleaned = (rooted ? '/' : '') + parts.join('/');
  return cleaned === '' ? '.' : cleaned;
}

/** Go's `filepath.Dir`: everything before the last `/`, cleaned. */
export function goDir(p: string): string {
  return goClean(p.slice(0, p.lastIndexOf('/') + 1));
}

/** Go's `filepath.Base`: the last element, trailing slashes ignored; `/` for the root, `.` for ''. */
export function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Whether a path ends with `/`. */
export function hasTrailingSeparator(p: string): boolean {
  return p.endsWith('/');
}

/** Whether a path's last element is `.` (`dir/.`: the directory's contents). */
export function specifiesCurrentDir(p: string): boolean {
  return goBase(p) === '.';
}

/** A path that can only be a directory: it ends with `/` or `/.`. */
export function assertsDirectory(p: string): boolean {
  return hasTrailingSeparator(p) || specifiesCurrentDir(p);
}

/** go-archive's `PreserveTrailingDotOrSeparator`: puts back the `/.` or `/` that cleaning `original` removed. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let result = cleaned;
  if (!specifiesCurrentDir(result) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(result)) result += '/';
    result += '.';
  }
  if (!hasTrailingSeparator(result) && hasTrailingSeparator(original)) result += '/';
  return result;
}

/** go-archive's `SplitPathDirEntry`: [directory, base], the base `.` kept for `dir/.`. */
export function splitPathDirEntry(p: string): [string, string] {
  let cleaned = goClean(p);
  if (specifiesCurrentDir(p)) cleaned += '/.';
  return [goDir(cleaned), goBase(cleaned)];
}

/** A local path made absolute against `cwd`, its trailing `/` or `/.` kept (cp's `resolveLocalPath`). */
export function resolveLocalPath(localPath: string, cwd: string = process.cwd()): string {
  return preserveTrailingDotOrSeparator(goClean(path.isAbsolute(localPath) ? localPath : `${cwd}/${localPath}`), localPath);
}

/**
 * Splits a cp argument at its first `:` into [container, path]; ['', arg] for a
 * local path: an absolute one, one without `:`, or one starting with `.` (`./a:b`).
 */
export function splitCpArg(arg: string): [string, string] {
  if (arg.startsWith('/')) return ['', arg];
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return ['', arg];
  return [arg.slice(0, colon), arg.slice(colon + 1)];
}

/**
 * go-archive's `GetRebaseName`: `resolved` given the trailing `/.` or `/` of
 * `original`, and the name the copy must keep when a followed link changed the last element.
 */
export function getRebaseName(original: string, resolved: string): [string, string] {
  let result = resolved;
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(result)) result += '/.';
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(result)) result += '/';
  return [result, goBase(original) !== goBase(result) ? goBase(original) : ''];
}

/**
 * go-archive's `PrepareArchiveCopy`: from what is known of source and
 * destination, the directory to extract into and the renaming of the
 * source's first entry (the table at the top of this file).
 * @throws Error `cannot copy directory` (a directory onto a file), `no such directory` (a file onto `missing/`).
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): PreparedCopy {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  const srcBase = src.rebaseName !== '' ? src.rebaseName : splitPathDirEntry(src.path)[1];
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new Error('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new Error('no such directory');
  return { dstDir, rebase: [srcBase, dstBase] };
}

/**
 * go-archive's `RebaseArchiveEntries` for one name: the first `from` becomes
 * `to`, and `from` `/` (the root) counts as '' so every entry gets `to` in front.
 */
export function rebaseName(name: string, from: string, to: string): string {
  return name.replace(from === '/' ? '' : from, () => to);
}

// fs.realpath's JavaScript walk fails on the first missing element with an `lstat` error, as Go's EvalSymlinks does.
const realpath = promisify(fs.realpath);

/**
 * go-archive's `CopyInfoSourcePath` for a local source: symlinks in the
 * parent are resolved; the last element only with `followLink` (-L), the
 * copy then keeping the link's name.
 * @throws the file system's error, in Go's words (`lstat /x: no such file or directory`).
 */
export async function copyInfoSourcePath(sourcePath: string, followLink: boolean): Promise<CopyInfo> {
  try {
    let resolved: string;
    let rebase = '';
    if (followLink) {
      [resolved, rebase] = getRebaseName(sourcePath, await realpath(sourcePath));
    } else {
      const slash = sourcePath.lastIndexOf('/');
      const [dir, base] = [sourcePath.slice(0, slash + 1), sourcePath.slice(slash + 1)];
      resolved = `${await realpath(dir === '' ? '.' : dir)}/${base}`;
      if (hasTrailingSeparator(sourcePath) && goBase(sourcePath) !== goBase(resolved)) rebase = goBase(sourcePath);
    }
    const stats = await fs.promises.lstat(resolved);
    return { path: resolved, exists: true, isDir: stats.isDirectory(), rebaseName: rebase };
  } catch (err) {
    throw goError(err);
  }
}

/**
 * go-archive's `CopyInfoDestinationPath` for a local destination: symlinks at
 * the end are followed (at most 10); a destination that does not exist is fine
 * when its parent is a directory.
 * @throws Error `stat <parent>: no such file or directory`, `not a directory`, `too many symlinks in <path>`.
 */
export async function copyInfoDestinationPath(destination: string): Promise<CopyInfo> {
  let current = destination;
  try {
    for (let n = 0; ; n++) {
      let stats: fs.Stats;
      try {
        stats = await fs.promises.lstat(current);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        const [parent] = splitPathDirEntry(current);
        if (!(await fs.promises.stat(parent)).isDirectory()) throw new Error('not a directory');
        return { path: current, exists: false, isDir: false, rebaseName: '' };
      }
      if (!stats.isSymbolicLink()) return { path: current, exists: true, isDir: stats.isDirectory(), rebaseName: '' };
      if (n >= 10) throw new Error(`too many symlinks in ${destination}`);
      const target = await fs.promises.readlink(current);
      current = path.isAbsolute(target) ? target : goClean(`${splitPathDirEntry(current)[0]}/${target}`);
    }
  } catch (err) {
    throw goError(err);
  }
}

// The strerror(3) texts Go prints where libuv words them differently.
const STRERROR: Record<string, string> = {
  EEXIST: 'file exists',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  ENOTEMPTY: 'directory not empty',
  EXDEV: 'invalid cross-device link',
};

/** A file-system error worded as Go's `*PathError` prints it: `lstat /x: no such file or directory`. Others unchanged. */
export function goError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || e.code === undefined || e.syscall === undefined || e.path === undefined) return err as Error;
  const text = STRERROR[e.code] ?? /^[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.code;
  return Object.assign(new Error(`${e.syscall} ${e.path}: ${text}`, { cause: err }), { code: e.code });
}
