/**
 * Lesson 06 — image store: layers. Every check crafts its layers here with
 * tar-stream's pack (never with the code under test), applies them to a rootfs
 * in a temp dir, and looks at the result with lstat. The hostile layers aim at a
 * sentinel directory next to the rootfs, which must stay exactly as it was.
 *
 * ```
 * <tmp>/
 * ├── sentinel/secret     outside: never written, linked or removed
 * └── a/rootfs/           the rootfs: "../../sentinel" from here is the sentinel
 * ```
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { applyLayer } from '#kata/image/apply-layer.js';
import { createLayer } from '#kata/image/create-layer.js';
import { unpackImage } from '#kata/image/unpack-image.js';
import { DiffIDMismatchError } from '#kata/image/layer-errors.js';
import type { LayerEscapeKind } from '#kata/image/layer-errors.js';
import type { Digest } from '#kata/image/digest.js';
import { describeError, rejectionOf } from '../support/outcomes.js';
import {
  APPLY,
  ENTRY,
  WHITEOUTS,
  OWNERSHIP,
  SAFE,
  UNPACK,
  CREATE,
  isRoot,
  T1,
  T2,
  T3,
  tarOf,
  applyTo,
  walk,
  outsideOf,
  expectRefusedIn,
  mode,
  entriesOf,
  makeTree,
  parentOf,
  clean,
} from './06-layers/helpers.js';
import type { ApplyOptions, Spec, TreeSpec } from './06-layers/helpers.js';
import { sha256 } from '../support/bytes.js';
import { TestScope } from '../support/scope.js';

const scope = new TestScope();
let tmp = '';
let rootfs = '';
let sentinel = '';

beforeEach(async () => {
  tmp = await scope.tempDir('dockerlings-06-');
  sentinel = path.join(tmp, 'sentinel');
  rootfs = path.join(tmp, 'a', 'rootfs');
  await fs.mkdir(sentinel);
  await fs.writeFile(path.join(sentinel, 'secret'), 'secret\n');
  await fs.mkdir(rootfs, { recursive: true });
});

// Read-only directories a check left behind do not stop the scope's cleanup.
afterEach(() => scope.cleanup());

// The current check's rootfs and temp dir, bound into the helpers.
const apply = (layer: Buffer, options?: ApplyOptions) => applyTo(rootfs, layer, options);
const at = (rel: string) => path.join(rootfs, rel);
const lstat = (rel: string) => fs.lstat(at(rel)).catch(() => undefined);
const read = (rel: string): Promise<string | undefined> => fs.readFile(at(rel), 'utf8').catch(() => undefined);
const outside = () => outsideOf(tmp);
const expectRefused = (layer: Buffer, kind: LayerEscapeKind, entry: string, where: string, options?: ApplyOptions) =>
  expectRefusedIn({ apply, outside }, layer, kind, entry, where, options);

describe('lesson 06 — image store: layers', () => {
  it('unpacks files, dirs, symlinks, hardlinks with their modes and mtimes', async () => {
    const layer = await tarOf([
      { name: './', type: 'directory' },
      { name: 'etc/', type: 'directory', mode: 0o750, mtime: T1 },
      { name: 'etc/hostname', content: 'box\n', mode: 0o640, mtime: T2, uid: 1000, gid: 1000 },
      { name: 'bin/', type: 'directory', mtime: T1 },
      { name: 'bin/minibox', content: '#!minibox\n', mode: 0o4755, mtime: T2 },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/minibox', mtime: T3 },
      { name: 'bin/ls', type: 'link', linkname: 'bin/minibox' },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'usr/share/doc/readme', content: 'parents were not listed\n' },
    ]);
    const result = await apply(layer);
    expect(result?.diffID, `applyLayer resolves with { diffID, size } (${APPLY})`).toBe(sha256(layer));

    const etc = await lstat('etc');
    expect(etc?.isDirectory(), `etc/ is a directory (${ENTRY})`).toBe(true);
    expect(mode(etc), `etc/ has the mode of its header, 0750 (${ENTRY})`).toBe('0750');
    expect(
      etc?.mtime.getTime(),
      `etc/ keeps its header mtime even though etc/hostname was written into it afterwards: set directory mtimes once the layer is done (${ENTRY})`,
    ).toBe(T1.getTime());

    expect(await read('etc/hostname'), `etc/hostname holds the entry's content (${ENTRY})`).toBe('box\n');
    const hostname = await lstat('etc/hostname');
    expect(mode(hostname), `etc/hostname has mode 0640 (${ENTRY})`).toBe('0640');
    expect(hostname?.mtime.getTime(), `etc/hostname has its header mtime (${ENTRY})`).toBe(T2.getTime());
    expect(
      hostname?.uid,
      isRoot
        ? `as root, etc/hostname is chowned to the header's uid 1000 (${OWNERSHIP}: hostOwner)`
        : `as a non-root user the chown is skipped: etc/hostname belongs to the unpacking user (${OWNERSHIP}: hostOwner)`,
    ).toBe(isRoot ? 1000 : process.getuid?.());

    expect(
      mode(await lstat('bin/minibox')),
      `bin/minibox keeps its setuid bit, 4755: chmod after chown, because chown clears setuid (${ENTRY})`,
    ).toBe('4755');
    const sh = await lstat('bin/sh');
    expect(sh?.isSymbolicLink(), `bin/sh is a symlink (${ENTRY})`).toBe(true);
    expect(await fs.readlink(at('bin/sh')).catch(() => ''), `bin/sh points at "/bin/minibox", exactly as the entry says (${ENTRY})`).toBe(
      '/bin/minibox',
    );
    expect(sh?.mtime.getTime(), `the symlink itself carries its mtime: lutimes, not utimes (${ENTRY})`).toBe(T3.getTime());
    expect((await lstat('bin/ls'))?.ino, `bin/ls is a hardlink: the same inode as bin/minibox (${ENTRY})`).toBe(
      (await lstat('bin/minibox'))?.ino,
    );
    expect(mode(await lstat('tmp')), `tmp/ keeps its sticky bit, 1777 (${ENTRY})`).toBe('1777');
    expect(
      await read('usr/share/doc/readme'),
      `an entry whose parent directories are not in the layer gets them created (${ENTRY})`,
    ).toBe('parents were not listed\n');

    if (isRoot) {
      // With a user-namespace map, container uid 0 is host 100000 and 1000 is 101000.
      rootfs = path.join(tmp, 'a', 'mapped');
      await fs.mkdir(rootfs);
      const range = [{ containerID: 0, hostID: 100000, size: 65536 }];
      await apply(layer, { idMap: { uidMappings: range, gidMappings: range } });
      const mapped = await lstat('etc/hostname');
      expect([mapped?.uid, mapped?.gid], `with idMap, uid/gid 1000 become 101000 on the host (${OWNERSHIP}: mapId)`).toEqual([101000, 101000]);
      expect((await lstat('bin/sh'))?.uid, `symlinks are chowned too, with lchown (${ENTRY})`).toBe(100000);
      expect(mode(await lstat('bin/minibox')), `the setuid bit survives the mapped chown (${ENTRY})`).toBe('4755');
    }
  });

  it('applies gzip and plain tar layers in order', async () => {
    const base = await tarOf([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/os-release', content: 'one\n' },
      { name: 'etc/motd', content: 'hello\n' },
      { name: 'opt/', type: 'directory' },
      { name: 'opt/tool', content: 'a file for now\n' },
      { name: 'var/', type: 'directory' },
      { name: 'var/thing/', type: 'directory' },
      { name: 'var/thing/data', content: 'inside a directory\n' },
    ]);
    const next = await tarOf([
      { name: 'etc/', type: 'directory', mode: 0o700 },
      { name: 'etc/os-release', content: 'two\n' },
      { name: 'opt/tool/', type: 'directory' },
      { name: 'opt/tool/bin', content: 'now a directory\n' },
      { name: 'var/thing', content: 'now a file\n' },
    ]);
    const gzipped = gzipSync(base);
    const first = await apply(gzipped);
    expect(
      await read('etc/motd'),
      `a layer starting with the gzip magic bytes 1f 8b is gunzipped, even when the first chunk holds one byte (${APPLY})`,
    ).toBe('hello\n');
    expect(first?.size, `size counts the uncompressed bytes (${APPLY})`).toBe(base.length);

    await apply(next);
    expect(await read('etc/os-release'), `the upper layer's file replaces the lower one (${ENTRY})`).toBe('two\n');
    expect(await read('etc/motd'), `a directory entry over an existing directory keeps its content (${ENTRY})`).toBe('hello\n');
    expect(mode(await lstat('etc')), `…but takes the new entry's mode, 0700 (${ENTRY})`).toBe('0700');
    expect((await lstat('opt/tool'))?.isDirectory(), `a directory entry replaces a file of that name (${ENTRY})`).toBe(true);
    expect(await read('opt/tool/bin'), `…and gets its content (${ENTRY})`).toBe('now a directory\n');
    expect(await read('var/thing'), `a file entry replaces a whole directory of that name (${ENTRY})`).toBe('now a file\n');
  });

  it('a whiteout removes the lower file and leaves no .wh. file', async () => {
    await apply(
      await tarOf([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/a', content: 'a\n' },
        { name: 'etc/b', content: 'b\n' },
        { name: 'etc/sub/', type: 'directory' },
        { name: 'etc/sub/x', content: 'x\n' },
        { name: 'lnk', type: 'symlink', linkname: '../../sentinel' },
      ]),
    );
    const before = await outside();
    await apply(
      await tarOf([
        { name: 'etc/.wh.a', mode: 0 },
        { name: 'etc/.wh.sub', mode: 0 },
        { name: 'etc/.wh.never-existed', mode: 0 },
        { name: '.wh.lnk', mode: 0 },
      ]),
    );
    expect(await lstat('etc/a'), `etc/.wh.a removes etc/a (${WHITEOUTS})`).toBeUndefined();
    expect(await lstat('etc/sub'), `etc/.wh.sub removes the whole directory etc/sub (${WHITEOUTS})`).toBeUndefined();
    expect(await read('etc/b'), `etc/b had no whiteout and stays (${WHITEOUTS})`).toBe('b\n');
    expect(await lstat('lnk'), `.wh.lnk removes the symlink lnk (${WHITEOUTS})`).toBeUndefined();
    expect(await outside(), `…the symlink itself, never what it points to (${WHITEOUTS})`).toEqual(before);
    expect(
      (await walk(rootfs)).filter((p) => path.posix.basename(p).startsWith('.wh.')),
      `a whiteout is an instruction, never a file on disk (${WHITEOUTS})`,
    ).toEqual([]);
  });

  it("an opaque dir hides lower content but keeps the layer's own", async () => {
    await apply(
      await tarOf([
        { name: 'd/', type: 'directory' },
        { name: 'd/old1', content: 'lower\n' },
        { name: 'd/sub/', type: 'directory' },
        { name: 'd/sub/old2', content: 'lower\n' },
        { name: 'other/', type: 'directory' },
        { name: 'other/keep', content: 'elsewhere\n' },
      ]),
    );
    // The marker comes after some of the layer's own entries: it still hides only lower content.
    await apply(
      await tarOf([
        { name: 'd/', type: 'directory' },
        { name: 'd/new-before', content: 'mine\n' },
        { name: 'd/sub/', type: 'directory' },
        { name: 'd/sub/mine', content: 'mine\n' },
        { name: 'd/.wh..wh..opq', mode: 0 },
        { name: 'd/new-after', content: 'mine\n' },
      ]),
    );
    expect(await lstat('d/old1'), `d/.wh..wh..opq hides d/old1 from the lower layer (${WHITEOUTS})`).toBeUndefined();
    expect(await lstat('d/sub/old2'), `…and everything below d/, such as d/sub/old2 (${WHITEOUTS})`).toBeUndefined();
    expect(
      await read('d/new-before'),
      `d/new-before came from the same layer, before the marker: the opaque marker hides lower layers only (${WHITEOUTS})`,
    ).toBe('mine\n');
    expect(await read('d/sub/mine'), `d/sub/mine is the layer's own too (${WHITEOUTS})`).toBe('mine\n');
    expect(await read('d/new-after'), `d/new-after, after the marker, stays (${WHITEOUTS})`).toBe('mine\n');
    expect(await read('other/keep'), `only d/ is opaque: other/keep stays (${WHITEOUTS})`).toBe('elsewhere\n');
    expect(await lstat('d/.wh..wh..opq'), `the opaque marker is never written to disk (${WHITEOUTS})`).toBeUndefined();
  });

  it('refuses ../ names and writes nothing outside', async () => {
    const layer = await tarOf([
      { name: 'ok', content: 'fine\n' },
      { name: '../../sentinel/pwned', content: 'pwned\n' },
    ]);
    await expectRefused(layer, 'dotdot', '../../sentinel/pwned', `${SAFE}: cleanEntryName`);
    const sneaky = await tarOf([{ name: 'a/../../../sentinel/pwned', content: 'pwned\n' }]);
    await expectRefused(sneaky, 'dotdot', 'a/../../../sentinel/pwned', `${SAFE}: cleanEntryName, after normalising the path`);
  });

  it('refuses absolute names', async () => {
    const target = path.join(sentinel, 'pwned');
    const layer = await tarOf([{ name: target, content: 'pwned\n' }]);
    await expectRefused(layer, 'absolute', target, `${SAFE}: cleanEntryName`);
    expect(await lstat(target.slice(1)), `an absolute name is refused, not quietly moved inside the rootfs (${SAFE})`).toBeUndefined();
  });

  it('refuses writing through a symlink that points outside the rootfs', async () => {
    // An absolute symlink is fine: inside the rootfs, "/" is the rootfs.
    const hostPath = sentinel.slice(1);
    await apply(
      await tarOf([
        { name: 'var/', type: 'directory' },
        { name: 'var/run', type: 'symlink', linkname: sentinel },
        { name: 'var/run/x', content: 'lands inside\n' },
      ]),
    );
    expect(
      await read(`${hostPath}/x`),
      `var/run -> ${sentinel} is resolved as if the rootfs were "/": var/run/x lands in <rootfs>${sentinel}/x (${SAFE}: resolveInRoot)`,
    ).toBe('lands inside\n');
    expect(await fs.readlink(at('var/run')).catch(() => ''), `the absolute symlink itself is created as it is (${ENTRY})`).toBe(sentinel);

    const layer = await tarOf([
      { name: 'evil', type: 'symlink', linkname: '../../sentinel' },
      { name: 'evil/pwned', content: 'pwned\n' },
    ]);
    await expectRefused(layer, 'symlink', 'evil/pwned', `${SAFE}: resolveInRoot, and open with O_NOFOLLOW`);
  });

  it('refuses a hardlink to a file outside', async () => {
    const secret = path.join(sentinel, 'secret');
    const cases: Array<[string, Spec[]]> = [
      ['relative', [{ name: 'h', type: 'link', linkname: '../../sentinel/secret' }, { name: 'h', content: 'pwned\n' }]],
      ['absolute', [{ name: 'h', type: 'link', linkname: secret }, { name: 'h', content: 'pwned\n' }]],
      [
        'through a symlink',
        [
          { name: 'up', type: 'symlink', linkname: '../../sentinel' },
          { name: 'h', type: 'link', linkname: 'up/secret' },
          { name: 'h', content: 'pwned\n' },
        ],
      ],
    ];
    for (const [how, entries] of cases) {
      await expectRefused(await tarOf(entries), 'hardlink', 'h', `${ENTRY}: a hardlink target ${how}, resolved with ${SAFE}`);
      expect(await lstat('h'), `no hardlink "h" may be created (${how}) (${ENTRY})`).toBeUndefined();
    }
  });

  it('refuses device nodes when rootless', async () => {
    // `rootless: true` applies as an unprivileged user would, also when the checks run as root.
    const layer = await tarOf([
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
    ]);
    await expectRefused(layer, 'device', 'dev/null', `${ENTRY}: device entries with { rootless: true }`, { rootless: true });
    expect(await lstat('dev/null'), `nothing is created in place of the refused device, not even a plain file (${ENTRY})`).toBeUndefined();
  });

  it('computes the DiffID while streaming and refuses a layer whose DiffID does not match the config', async () => {
    const first = Buffer.alloc(64 * 1024);
    for (let i = 0; i < first.length; i++) first[i] = (i * 7919) % 251;
    const layer = await tarOf([
      { name: 'first', content: first },
      { name: 'second', content: Buffer.alloc(64 * 1024, 2) },
    ]);
    // Everything up to the second entry's header, flushed, then the rest: one valid gzip stream.
    const split = 512 + first.length + 512;
    const gzip = createGzip();
    const out: Buffer[] = [];
    gzip.on('data', (c: Buffer) => out.push(c));
    const ended = new Promise((resolve) => gzip.once('end', resolve));
    gzip.write(layer.subarray(0, split));
    await new Promise<void>((resolve) => gzip.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    const head = Buffer.concat(out.splice(0));
    gzip.end(layer.subarray(split));
    await ended;
    const blob = Buffer.concat([head, ...out]);

    let sawFirst = false;
    async function* slowly(): AsyncGenerator<Buffer> {
      yield head;
      // The rest is held back until "first" is on disk: a layer is applied as it arrives.
      for (let i = 0; i < 500 && !sawFirst; i++) {
        const s = await fs.stat(at('first')).catch(() => undefined);
        sawFirst = s?.size === first.length;
        if (!sawFirst) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      yield blob.subarray(head.length);
    }
    const result = await applyLayer(rootfs, slowly());
    expect(sawFirst, `"first" must be written while the rest of the layer is still on its way: stream, never buffer the layer (${APPLY})`).toBe(
      true,
    );
    expect(result?.diffID, `the DiffID is the sha256 of the UNCOMPRESSED tar (${APPLY}: a DigestTransform after gunzip)`).toBe(sha256(layer));
    expect(result?.diffID, `…not of the gzip blob (${APPLY})`).not.toBe(sha256(blob));
    expect(result?.size, `size is the uncompressed length (${APPLY})`).toBe(layer.length);

    const base = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/base', content: 'base\n' }]);
    const top = await tarOf([{ name: 'etc/top', content: 'top\n' }]);
    const parent = path.join(tmp, 'images');
    await fs.mkdir(parent);
    const seenEarly: string[] = [];
    const layers = (diffIDs: string[]) => [
      { open: async () => Readable.from([gzipSync(base)]), diffID: diffIDs[0] as Digest },
      {
        open: async () => {
          // While the last layer is still to come, the rootfs must not be visible under its name.
          seenEarly.push(...(await fs.readdir(parent)).filter((name) => !name.startsWith('.')));
          return Readable.from([top]);
        },
        diffID: diffIDs[1] as Digest,
      },
    ];
    const wrong = sha256(Buffer.from('something else'));
    const err = await rejectionOf(unpackImage(path.join(parent, 'bad'), layers([sha256(base), wrong])));
    expect(
      err,
      `a layer whose DiffID is not the config's rootfs.diff_ids[1] fails with DiffIDMismatchError (${UNPACK}); got ${describeError(err)}`,
    ).toBeInstanceOf(DiffIDMismatchError);
    const mismatch = err as DiffIDMismatchError;
    expect(
      [mismatch.index, mismatch.expected, mismatch.actual],
      `the error tells the layer index, the expected and the actual DiffID (${UNPACK})`,
    ).toEqual([1, wrong, sha256(top)]);
    expect(await fs.readdir(parent), `a failed unpack leaves nothing behind: no rootfs, no temp dir (${UNPACK})`).toEqual([]);

    const diffIDs = await unpackImage(path.join(parent, 'good'), layers([sha256(base), sha256(top)]));
    expect(diffIDs, `unpackImage resolves with each layer's DiffID, base first (${UNPACK})`).toEqual([sha256(base), sha256(top)]);
    expect(seenEarly, `unpack into a temporary sibling (a name starting with ".") and rename it into place at the end (${UNPACK})`).toEqual([]);
    expect(await fs.readdir(parent), `the rootfs appears under its own name, and only it (${UNPACK})`).toEqual(['good']);
    expect(
      await fs.readFile(path.join(parent, 'good', 'etc', 'top'), 'utf8').catch(() => undefined),
      `both layers are applied in order (${UNPACK})`,
    ).toBe('top\n');
  });

  it('creates a layer from a directory diff with whiteouts for deletions', async () => {
    const lower = path.join(tmp, 'lower');
    const upper = path.join(tmp, 'upper');
    const tree: TreeSpec = {
      etc: { a: 'same\n', b: 'deleted\n', c: 'one\n' },
      gone: { x: 'x\n', y: { z: 'z\n' } },
      link: { symlink: 'etc/a' },
      mode: { f: { content: 'f\n', mode: 0o644 } },
      usr: { bin: { tool: 'tool\n' } },
    };
    await makeTree(lower, tree, T1);
    await makeTree(upper, tree, T1);
    await fs.rm(path.join(upper, 'etc', 'b'));
    await fs.writeFile(path.join(upper, 'etc', 'c'), 'two!\n');
    await fs.writeFile(path.join(upper, 'etc', 'd'), 'new\n');
    await fs.rm(path.join(upper, 'gone'), { recursive: true });
    await fs.chmod(path.join(upper, 'mode', 'f'), 0o600);
    await makeTree(path.join(upper, 'opt'), { new: { file: 'added\n', 'e-5': '5', 'a-1': '1', 'd-4': '4', 'b-2': '2', 'c-3': '3' } }, T2);
    // usr/bin/ gets a new mtime but the same entries: not a change of its own.
    await fs.writeFile(path.join(upper, 'usr', 'bin', 'scratch'), '');
    await fs.rm(path.join(upper, 'usr', 'bin', 'scratch'));

    const { entries } = await entriesOf(createLayer(lower, upper));
    const names = entries.map((e) => clean(e.header.name));
    expect(
      [...names].sort(),
      `the layer holds the changed and new entries, their parent directories, and one whiteout per deleted name (${CREATE})`,
    ).toEqual(
      [
        ...['.wh.gone', 'etc', 'etc/.wh.b', 'etc/c', 'etc/d', 'mode', 'mode/f', 'opt', 'opt/new', 'opt/new/file'],
        ...['opt/new/a-1', 'opt/new/b-2', 'opt/new/c-3', 'opt/new/d-4', 'opt/new/e-5'],
      ].sort(),
    );
    for (const [i, name] of names.entries()) {
      const parent = parentOf(name);
      if (parent !== '.') {
        expect(names.indexOf(parent), `"${parent}/" must come before "${name}" in the tar (${CREATE})`).toBeGreaterThanOrEqual(0);
        expect(names.indexOf(parent), `"${parent}/" must come before "${name}" in the tar (${CREATE})`).toBeLessThan(i);
      }
    }
    for (const dir of new Set(names.map(parentOf))) {
      const siblings = names.filter((n) => parentOf(n) === dir).map((n) => path.posix.basename(n));
      const plain = siblings.filter((n) => !n.startsWith('.wh.'));
      const whiteouts = siblings.filter((n) => n.startsWith('.wh.'));
      expect(plain, `entries of "${dir}" come in sorted order (${CREATE})`).toEqual([...plain].sort());
      expect(whiteouts, `whiteouts of "${dir}" come in sorted order (${CREATE})`).toEqual([...whiteouts].sort());
    }
    const byName = new Map(entries.map((e) => [clean(e.header.name), e]));
    expect(byName.get('etc/c')?.content.toString(), `a changed file goes in with its new content (${CREATE})`).toBe('two!\n');
    expect(byName.get('opt/new')?.header.type, `opt/new is a directory entry (${CREATE})`).toBe('directory');
    expect((byName.get('mode/f')?.header.mode ?? 0) & 0o7777, `a file whose mode changed goes in with the new mode (${CREATE})`).toBe(0o600);
    const wh = byName.get('etc/.wh.b')?.header;
    expect([wh?.type, wh?.size], `a whiteout is an empty regular file (${CREATE})`).toEqual(['file', 0]);

    const everything = await entriesOf(createLayer(undefined, lower));
    expect(
      everything.entries.map((e) => clean(e.header.name)).filter((n) => n.startsWith('.wh.') || n.includes('/.wh.')),
      `with no lower tree the layer holds all of upper and no whiteouts (${CREATE})`,
    ).toEqual([]);
    expect(everything.entries.length, `with no lower tree every entry of upper is in the layer (${CREATE})`).toBe((await walk(lower)).length);
  });

  it('the same directories give the same layer digest', async () => {
    const spec = (order: 'forward' | 'backward'): TreeSpec => {
      const files: Array<[string, string]> = [
        ['alpha', 'a\n'],
        ['beta', 'b\n'],
        ['gamma', 'c\n'],
      ];
      if (order === 'backward') files.reverse();
      return { srv: Object.fromEntries(files), etc: { conf: 'x=1\n' } };
    };
    const build = async (name: string, order: 'forward' | 'backward', when: Date) => {
      const lower = path.join(tmp, name, 'lower');
      const upper = path.join(tmp, name, 'upper');
      await makeTree(lower, spec(order), when);
      await makeTree(upper, spec(order), when);
      await fs.writeFile(path.join(upper, 'etc', 'conf'), 'x=2\n');
      await fs.rm(path.join(upper, 'srv', 'beta'));
      await makeTree(path.join(upper, 'srv', 'www'), { 'index.html': '<h1>hi</h1>\n' }, when);
      // New files created in a different order in each pair: readdir order differs, the layer must not.
      const added = order === 'forward' ? ['add-1', 'add-2', 'add-3'] : ['add-3', 'add-2', 'add-1'];
      for (const name of added) await fs.writeFile(path.join(upper, 'srv', name), `${name}\n`);
      return { lower, upper };
    };
    const fixed = new Date('2024-01-01T00:00:00Z');
    const one = await build('one', 'forward', T1);
    const two = await build('two', 'backward', T2);

    const first = await entriesOf(createLayer(one.lower, one.upper, { mtime: fixed }));
    const again = await entriesOf(createLayer(one.lower, one.upper, { mtime: fixed }));
    const other = await entriesOf(createLayer(two.lower, two.upper, { mtime: fixed }));
    expect(first.entries.length, `the layer has entries (${CREATE})`).toBeGreaterThan(0);
    expect(sha256(again.raw), `the same trees give byte-identical layers (${CREATE})`).toBe(sha256(first.raw));
    expect(
      sha256(other.raw),
      `equal trees, created in another order at another time, give the same digest with a fixed mtime (${CREATE})`,
    ).toBe(sha256(first.raw));
    for (const { header } of first.entries) {
      expect(header.mtime?.getTime(), `with { mtime } every entry, whiteouts included, has that mtime ("${header.name}", ${CREATE})`).toBe(
        fixed.getTime(),
      );
      expect([header.uname, header.gname], `uname and gname are empty: ids are numeric only ("${header.name}", ${CREATE})`).toEqual(['', '']);
    }
    const upperStat = await fs.stat(path.join(one.upper, 'etc', 'conf'));
    const conf = first.entries.find((e) => clean(e.header.name) === 'etc/conf')?.header;
    expect([conf?.uid, conf?.gid], `uid and gid are the files' own numbers (${CREATE})`).toEqual([upperStat.uid, upperStat.gid]);
    expect(first.raw.includes('atime='), `no atime PAX records: they change on every read (${CREATE})`).toBe(false);
    expect(first.raw.includes('ctime='), `no ctime PAX records (${CREATE})`).toBe(false);
  });
});
