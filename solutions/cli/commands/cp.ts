/**
 * Provided: `minidocker cp`, as the docker CLI 28 copies (cli/command/container/cp.go):
 * the daemon only sends and receives tars of container paths; which tar, and
 * where it is extracted, is decided here from a HEAD stat of the container
 * side and an lstat of the local side (cli/copy-paths.ts).
 *
 * ```
 * cp web:/etc/hosts ./out      → [HEAD (-L only)] GET /containers/web/archive?path=/etc/hosts → unpack into ./ as out
 * cp web:/etc/. -              → GET …?path=/etc/.  → the tar itself on stdout
 * cp ./site web:/www           → HEAD …?path=/www (exists as a dir?) → pack ./site → PUT /containers/web/archive?noOverwriteDirNonDir=true&path=/www
 * cp - web:/www                → HEAD …?path=/www (must be a dir) → stdin (a tar) → PUT …
 * ```
 * When stdout is a terminal (and without `-q`), the size of the tar is
 * reported at the end on stderr: `Successfully copied 4.61kB to web:/www`.
 */
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { GO_MODE, hasGoMode } from '../../api/volume-types.js';
import type { ContainerPathStat } from '../../api/volume-types.js';
import { containerStatPath, copyFromContainer, copyToContainer } from '../../client/archive.js';
import { humanSize } from '../../units.js';
import type { CommandContext } from '../context.js';
import {
  copyInfoDestinationPath,
  copyInfoSourcePath,
  getRebaseName,
  goClean,
  goDir,
  goError,
  prepareArchiveCopy,
  rebaseName,
  resolveLocalPath,
  splitCpArg,
  splitPathDirEntry,
} from '../copy-paths.js';
import type { CopyInfo } from '../copy-paths.js';
import { packLocalPath, unpackInto } from '../local-archive.js';
import type { EntryRename } from '../local-archive.js';

/** Flags of `minidocker cp`. */
export interface CpOptions {
  /** `-L`: follow a symlink at the source instead of copying the link. */
  followLink?: boolean;
  /** `-a`: keep the files' uid and gid in the container (`copyUIDGID=true`). */
  archive?: boolean;
  /** `-q`: no `Successfully copied …` line; also the default when stdout is not a terminal. */
  quiet?: boolean;
}

/** What one direction of a copy needs. */
interface Copy {
  ctx: CommandContext;
  container: string;
  sourcePath: string;
  destPath: string;
  options: CpOptions;
  quiet: boolean;
}

/**
 * `minidocker cp CONTAINER:SRC DEST|-` or `minidocker cp SRC|- CONTAINER:DEST`.
 * A local path with a `:` is told apart by starting with `/` or `.` (`./a:b`).
 * @returns 0.
 * @throws Error in docker's words: `copying between containers is not supported`,
 *   `must specify at least one container source`, `cannot copy directory`, `no such directory`,
 *   `destination "web:/x" must be a directory`, local errors as Go prints them; the daemon's errors.
 */
export async function cp(ctx: CommandContext, source: string, destination: string, options: CpOptions): Promise<number> {
  if (source === '') throw new Error('source can not be empty');
  if (destination === '') throw new Error('destination can not be empty');
  const [srcContainer, sourcePath] = splitCpArg(source);
  const [dstContainer, destPath] = splitCpArg(destination);
  const quiet = options.quiet ?? !ctx.io.stdout.isTTY;
  if (srcContainer !== '' && dstContainer !== '') throw new Error('copying between containers is not supported');
  if (srcContainer !== '') await copyOut({ ctx, container: srcContainer, sourcePath, destPath, options, quiet });
  else if (dstContainer !== '') await copyIn({ ctx, container: dstContainer, sourcePath, destPath, options, quiet });
  else throw new Error('must specify at least one container source');
  return 0;
}

// Container → local: GET the tar, then unpack it where the local destination says.
async function copyOut({ ctx, container, sourcePath, destPath, options, quiet }: Copy): Promise<void> {
  const dest = destPath === '-' ? destPath : resolveLocalPath(destPath);
  if (dest !== '-') await validateOutputPath(dest);
  let srcPath = sourcePath;
  let rebase = '';
  if (options.followLink) {
    const stat = await containerStatPath(ctx.client, container, srcPath).catch(() => undefined);
    if (stat && hasGoMode(stat.mode, GO_MODE.symlink)) [srcPath, rebase] = getRebaseName(srcPath, linkTargetOf(srcPath, stat));
  }
  const { content, stat } = await copyFromContainer(ctx.client, container, srcPath);
  if (dest === '-') {
    await pipeline(content, ctx.io.stdout, { end: false });
    return;
  }
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: hasGoMode(stat.mode, GO_MODE.dir), rebaseName: rebase };
  const srcBase = splitPathDirEntry(srcPath)[1];
  const counted = counter();
  try {
    const prepared = prepareArchiveCopy(srcInfo, await copyInfoDestinationPath(dest));
    const renames: EntryRename[] = [];
    if (rebase !== '') renames.push((name) => rebaseName(name, srcBase, rebase));
    if (prepared.rebase) renames.push(renameBy(prepared.rebase));
    const flowing = pipeline(content, counted.stream).catch(() => undefined); // unpackInto reports a failure
    try {
      await unpackInto(counted.stream, prepared.dstDir, (name) => renames.reduce((n, rename) => rename(n), name));
    } finally {
      await flowing;
    }
  } catch (err) {
    content.destroy();
    throw err;
  } finally {
    // docker reports the bytes copied even when the copy then failed.
    if (!quiet) ctx.io.stderr.write(`Successfully copied ${humanSize(counted.bytes())} to ${dest}\n`);
  }
}

// Local → container: stat the destination, pack the source to fit it, PUT the tar.
async function copyIn({ ctx, container, sourcePath, destPath, options, quiet }: Copy): Promise<void> {
  const source = sourcePath === '-' ? sourcePath : resolveLocalPath(sourcePath);
  const dstInfo: CopyInfo = { path: destPath, exists: false, isDir: false, rebaseName: '' };
  // A failed stat is no failure: the destination may not exist yet, and the PUT will say what is wrong.
  let stat = await containerStatPath(ctx.client, container, destPath).catch(() => undefined);
  if (stat && hasGoMode(stat.mode, GO_MODE.symlink)) {
    dstInfo.path = linkTargetOf(destPath, stat);
    stat = await containerStatPath(ctx.client, container, dstInfo.path).catch(() => undefined);
  }
  const invalid = stat && (hasGoMode(stat.mode, GO_MODE.device) ? 'got a device' : hasGoMode(stat.mode, GO_MODE.irregular) ? 'got an irregular file' : '');
  if (invalid) throw new Error(`destination "${container}:${destPath}" must be a directory or a regular file: ${invalid}`);
  if (stat) [dstInfo.exists, dstInfo.isDir] = [true, hasGoMode(stat.mode, GO_MODE.dir)];

  let content: Readable;
  let extractTo: string;
  const counted = counter();
  if (source === '-') {
    if (!dstInfo.isDir) throw new Error(`destination "${container}:${destPath}" must be a directory`);
    content = ctx.io.stdin; // a tar already: sent as it is (and, as in docker, not counted)
    extractTo = dstInfo.path;
  } else {
    const srcInfo = await copyInfoSourcePath(source, Boolean(options.followLink));
    const prepared = prepareArchiveCopy(srcInfo, dstInfo);
    const include = splitPathDirEntry(srcInfo.path)[1];
    const renames: EntryRename[] = [];
    if (srcInfo.rebaseName !== '') renames.push((name) => rebaseName(name, include, srcInfo.rebaseName));
    if (prepared.rebase) renames.push(renameBy(prepared.rebase));
    const packed = packLocalPath(srcInfo.path, (name) => renames.reduce((n, rename) => rename(n), name), (message) => ctx.io.stderr.write(`${message}\n`));
    content = counted.stream;
    pipeline(packed, counted.stream).catch(() => undefined); // a failing tar fails the upload, which reports it
    extractTo = prepared.dstDir;
  }
  try {
    await copyToContainer(ctx.client, container, extractTo, content, { copyUIDGID: options.archive });
  } finally {
    if (!quiet) ctx.io.stderr.write(`Successfully copied ${humanSize(counted.bytes())} to ${container}:${dstInfo.path}\n`);
  }
}

// A symlink's target as cp follows it: relative targets are joined to the link's directory.
function linkTargetOf(linkPath: string, stat: ContainerPathStat): string {
  return stat.linkTarget.startsWith('/') ? stat.linkTarget : goClean(`${splitPathDirEntry(linkPath)[0]}/${stat.linkTarget}`);
}

function renameBy([from, to]: [string, string]): EntryRename {
  return (name) => rebaseName(name, from, to);
}

// A pass-through that counts the bytes of the tar, for the closing line.
function counter(): { stream: Transform; bytes: () => number } {
  let total = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, bytes: () => total };
}

/**
 * The docker CLI's `ValidateOutputPath`: the destination's directory must
 * exist, and an existing destination must not be a device.
 * @throws Error `invalid output path: directory "/x" does not exist`, `… must be a directory or a regular file: got a device`.
 */
async function validateOutputPath(dest: string): Promise<void> {
  const dir = goDir(goClean(dest));
  if (dir !== '' && dir !== '.') {
    const missing = await fs.stat(dir).then(() => false, (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
    if (missing) throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  }
  try {
    const stats = await fs.stat(dest);
    if (stats.isCharacterDevice() || stats.isBlockDevice()) {
      throw new Error(`invalid output path: ${JSON.stringify(dest)} must be a directory or a regular file: got a device`);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw goError(err);
  }
}
