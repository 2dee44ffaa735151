/**
 * Provided: the local half of `minidocker cp`, as go-archive does it for the
 * docker CLI: a local file or directory packed into a tar while it uploads
 * (`TarResource`), and a tar from the daemon unpacked while it downloads
 * (`Untar` with NoLchown and NoOverwriteDirNonDir). Both stream with
 * tar-stream: one entry's data at a time, never the whole archive.
 *
 * ```
 * pack  /home/me/site      ─▶ site/  site/index.html  site/css/  …     (names relative to the parent, dirs end in /)
 * pack  /home/me/site/.    ─▶ ./  ./index.html  …                      (the contents)
 * unpack into /tmp/out     ◀─ entries renamed first (`rename`), checked to stay inside, then written
 * ```
 */
import { createReadStream, createWriteStream } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header, Pack } from 'tar-stream';
import { goClean, goError, splitPathDirEntry } from './copy-paths.js';

/** Renames one entry (and a hardlink's target), e.g. `site/…` → `www/…`. */
export type EntryRename = (name: string) => string;

/**
 * A tar of a local file or directory, as go-archive's `TarResource` writes it:
 * entries named from the path's base name (`site/`, `site/a.txt`; `./…` for
 * `site/.`), walked depth first in name order, directories ending in `/`,
 * numeric owners without names, mtimes in whole seconds; files sharing an
 * inode become hardlinks to the first; a symlink is stored, not followed.
 * `rename` is applied to every name. A file that cannot be read (or a socket)
 * is reported through `onSkip` and left out, as docker logs and skips it.
 * @returns a byte stream of the tar, produced as it is read.
 */
export function packLocalPath(sourcePath: string, rename: EntryRename, onSkip: (message: string) => void): Readable {
  const pack = tar.pack();
  const write = async () => {
    const [dir, base] = splitPathDirEntry(sourcePath);
    const links = new Map<string, string>();
    for await (const [file, relative] of walk(goClean(`${dir}/${base}`), base, onSkip)) {
      try {
        await addEntry(pack, file, relative, rename, links);
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal) throw err;
        onSkip(`Can't add file ${file} to tar: ${goError(err).message}`);
      }
    }
    pack.finalize();
  };
  write().catch((err: unknown) => pack.destroy(goError(err)));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

// Go's filepath.WalkDir from `root`: the root, then each directory's entries in name order, depth first.
// Names are `name` (the include) followed by the path below the root.
async function* walk(root: string, name: string, onSkip: (message: string) => void): AsyncGenerator<[string, string]> {
  yield [root, name];
  let children: string[];
  try {
    if (!(await fs.lstat(root)).isDirectory()) return;
    children = (await fs.readdir(root)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  } catch (err) {
    onSkip(`Tar: Can't stat file ${root} to tar: ${goError(err).message}`);
    return;
  }
  for (const child of children) yield* walk(path.join(root, child), name === '.' ? `./${child}` : `${name}/${child}`, onSkip);
}

async function addEntry(pack: Pack, file: string, relative: string, rename: EntryRename, links: Map<string, string>): Promise<void> {
  const stats = await fs.lstat(file, { bigint: true });
  if (stats.isSocket()) throw new Error('archive/tar: sockets not supported');
  const name = rename(stats.isDirectory() && !relative.endsWith('/') ? `${relative}/` : relative);
  const header: Header = {
    name,
    type: typeOf(stats),
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    uname: '',
    gname: '',
    size: stats.isFile() ? Number(stats.size) : 0,
    mtime: new Date(Math.floor(Number(stats.mtimeMs) / 1000) * 1000),
    linkname: stats.isSymbolicLink() ? await fs.readlink(file) : '',
    devmajor: Number(stats.rdev >> 8n) & 0xfff,
    devminor: Number((stats.rdev & 0xffn) | ((stats.rdev >> 12n) & 0xfff00n)),
  };
  if (!stats.isDirectory() && stats.nlink > 1n) {
    const inode = `${stats.dev}:${stats.ino}`;
    const first = links.get(inode);
    if (first !== undefined) return entry(pack, { ...header, type: 'link', linkname: first, size: 0 });
    links.set(inode, name);
  }
  if (header.type !== 'file') return entry(pack, header);
  const handle = await fs.open(file, 'r'); // opened before the header is written: an unreadable file is skipped whole
  return entry(pack, header, handle);
}

// Adds one entry, streaming a file's content; once its header is out, a failure breaks the tar (fatal).
async function entry(pack: Pack, header: Header, handle?: fs.FileHandle): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (err?: Error | null) => (err ? reject(Object.assign(err, { fatal: true })) : resolve()));
    if (handle === undefined) return; // no data: the entry is complete as it is
    pipeline(createReadStream('', { fd: handle }), sink as unknown as NodeJS.WritableStream).catch((err: Error) => reject(Object.assign(err, { fatal: true })));
  });
}

function typeOf(stats: BigIntStats): Header['type'] {
  if (stats.isDirectory()) return 'directory';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  if (stats.isFIFO()) return 'fifo';
  return 'file';
}

/**
 * Unpacks a tar into the local directory `dest`, as go-archive's `Untar` does
 * for `docker cp` (NoLchown, NoOverwriteDirNonDir): each name renamed, then
 * cleaned; missing parents made (0755); an entry that would land outside
 * `dest`, or a link that points outside it, refused; a directory never
 * replaced by a non-directory nor the other way round; modes and mtimes set
 * (directories' last), owners left to whoever runs the CLI. Devices and fifos
 * are skipped: node cannot create them.
 * @throws Error in go-archive's words (`cannot overwrite directory "…" with non-directory "…"`,
 *   `"../x" is outside of "/dest"`), or the file system's, in Go's.
 */
export async function unpackInto(content: Readable, dest: string, rename: EntryRename): Promise<void> {
  const root = goClean(dest);
  const extract = tar.extract();
  // tar-stream streams are streamx streams: node's pipeline drives them, its types do not know them.
  const flowing = pipeline(content, extract as unknown as NodeJS.WritableStream);
  flowing.catch(() => undefined); // awaited below; a failure while an entry is written is never unhandled
  const dirs: Array<[string, Date]> = [];
  try {
    for await (const item of extract) {
      try {
        await unpackEntry(root, item.header, item as unknown as Readable, rename, dirs);
      } finally {
        item.resume(); // whatever the entry did not read
      }
    }
    await flowing;
    for (const [dir, mtime] of dirs) await fs.utimes(dir, mtime, mtime);
  } catch (err) {
    content.destroy();
    const streamError = await flowing.then(() => undefined, (cause: unknown) => cause);
    const stopped = streamError === undefined || (streamError as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE';
    throw goError(stopped ? err : streamError);
  }
}

async function unpackEntry(root: string, header: Header, data: Readable, rename: EntryRename, dirs: Array<[string, Date]>): Promise<void> {
  const name = goClean(rename(header.name));
  const isDir = header.type === 'directory';
  const target = goClean(`${root}/${name}`);
  const rel = path.relative(root, target);
  if (rel === '..' || rel.startsWith('../')) throw new Error(`${JSON.stringify(name)} is outside of ${JSON.stringify(root)}`);
  // Implied parents (0755), as docker makes them; checked above first, so never outside `root`.
  await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
  const existing = await fs.lstat(target).catch(() => undefined);
  if (existing) {
    if (existing.isDirectory() && !isDir) throw new Error(`cannot overwrite directory ${JSON.stringify(target)} with non-directory ${JSON.stringify(root)}`);
    if (!existing.isDirectory() && isDir) throw new Error(`cannot overwrite non-directory ${JSON.stringify(target)} with directory ${JSON.stringify(root)}`);
    if (existing.isDirectory() && name === '.') return;
    if (!existing.isDirectory()) await fs.rm(target, { recursive: true, force: true });
  }
  const mode = header.mode & 0o7777;
  const mtime = header.mtime;
  switch (header.type) {
    case 'directory':
      if (!existing) await fs.mkdir(target, { mode });
      break;
    case 'file':
    case 'contiguous-file':
      await pipeline(data, createWriteStream(target, { mode }));
      break;
    case 'link': {
      const linked = goClean(`${root}/${rename(header.linkname)}`);
      if (!linked.startsWith(root)) throw new Error(`invalid hardlink ${JSON.stringify(linked)} -> ${JSON.stringify(header.linkname)}`);
      await fs.link(linked, target);
      break;
    }
    case 'symlink': {
      const pointed = goClean(`${path.dirname(target)}/${header.linkname}`);
      if (!pointed.startsWith(root)) throw new Error(`invalid symlink ${JSON.stringify(target)} -> ${JSON.stringify(header.linkname)}`);
      await fs.symlink(header.linkname, target);
      await fs.lutimes(target, mtime, mtime);
      return;
    }
    case 'fifo':
    case 'character-device':
    case 'block-device':
      return;
    default:
      throw new Error(`unhandled tar header type ${header.type}`);
  }
  await fs.chmod(target, mode);
  if (isDir) dirs.push([target, mtime]);
  else await fs.utimes(target, mtime, mtime);
}
