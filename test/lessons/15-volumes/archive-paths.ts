/**
 * Lesson 15 checks on archive.ts itself, without a daemon: container paths
 * resolved as a chrooted process resolves them, through mounts, on temp dirs
 * standing for a container's root, a volume and a mounted file; and a PUT's
 * tar extracted as it streams in, with its size cap. Names and contents come
 * from a printed seed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { RequestTooLargeError } from '#kata/errdefs.js';
import { archiveOut, extractIn, resolveContainerPath, statPath } from '#kata/daemon/containers/archive.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import { makeTar, readTar, textFrom } from './archive-helpers.js';

const WHERE = 'src/daemon/containers/archive.ts';

/**
 * Declares the checks of archive.ts's path rules and streaming (registerArchiveChecks
 * calls it); `daemons` only lends its scope's temp dirs.
 */
export function registerArchivePathChecks(daemons: ContainerDaemons): void {
  it('container paths resolve inside the container: symlink chains, absolute links from its /, .. stopping at /, and mounts (the longest destination wins)', async () => {
    const rng = seeded();
    const root = await daemons.harness.tempDir();
    const volume = await daemons.harness.tempDir();
    const hostFile = path.join(await daemons.harness.tempDir(), 'hostname');
    const [sub, word] = [nameFrom(rng, 's'), textFrom(rng)];
    await fs.mkdir(path.join(root, 'etc'));
    await fs.mkdir(path.join(root, 'data', 'deeper'), { recursive: true });
    await fs.mkdir(path.join(volume, sub));
    await fs.writeFile(hostFile, `${word}\n`);
    await fs.symlink('/b', path.join(root, 'a'));
    await fs.symlink(`../../../../data/${sub}`, path.join(root, 'b'));
    await fs.symlink('/loop2', path.join(root, 'loop1'));
    await fs.symlink('/loop1', path.join(root, 'loop2'));
    await fs.symlink('/', path.join(volume, 'to-root'));
    const deeper = await daemons.harness.tempDir();
    const fsys = {
      root,
      mounts: [
        { destination: '/data', source: volume, readonly: false },
        { destination: '/data/deeper', source: deeper, readonly: true },
        { destination: '/etc/hostname', source: hostFile, readonly: false },
      ],
      readonlyRootfs: false,
    };
    const at = `${rng.why} — ${WHERE}`;

    const chain = await resolveContainerPath(fsys, '/a/x', {});
    expect([chain.path, chain.host], `/a -> /b -> ../../../../data/${sub}: absolute links start at the container's /, .. stops there, and /data is the volume ${at} resolveContainerPath`)
      .toEqual([`/data/${sub}/x`, path.join(volume, sub, 'x')]);
    expect((await resolveContainerPath(fsys, '/data/to-root/etc', {})).host, `a symlink inside a volume to / leads to the container's root, not the host's ${at} resolveContainerPath`).toBe(path.join(root, 'etc'));
    expect((await resolveContainerPath(fsys, '/data/deeper/f', {})).host, `the longest mount destination wins ${at} locate`).toBe(path.join(deeper, 'f'));
    expect((await resolveContainerPath(fsys, '/a', {})).host, 'without followFinal the last component is the symlink itself').toBe(path.join(root, 'a'));
    await expect(resolveContainerPath(fsys, '/loop1/x', {}), `a symlink loop ends after MAX_SYMLINKS links with an error ${at} resolveContainerPath`).rejects.toThrow();

    const link = await statPath(fsys, '/a');
    expect([link.name, link.linkTarget], `statPath of a symlink: linkTarget is where the chain ends, as a container path ${at} statPath`).toEqual(['a', `/data/${sub}`]);
    const followed = await statPath(fsys, '/a/');
    expect([followed.name, followed.mode >= 2 ** 31, followed.linkTarget], `a trailing / follows the last symlink: /a/ is the directory it leads to ${at} statPath`).toEqual(['a', true, '']);
    expect((await statPath(fsys, '/etc/hostname')).size, `statPath goes through a file mounted over the image's ${at} statPath`).toBe(word.length + 1);

    await extractIn(fsys, '/', Readable.from([await makeTar([{ name: 'data/new.txt', content: word }, { name: 'etc/own.txt', content: word }])]));
    expect(await fs.readFile(path.join(volume, 'new.txt'), 'utf8').catch(() => 'missing'), `an entry under /data lands in the volume ${at} extractIn`).toBe(word);
    expect(await fs.readFile(path.join(root, 'etc', 'own.txt'), 'utf8').catch(() => 'missing'), `an entry under /etc lands in the root ${at} extractIn`).toBe(word);
    expect(await fs.readdir(path.join(root, 'data')), `nothing lands in the root's /data under the volume ${at} extractIn`).toEqual(['deeper']);
    await expect(extractIn(fsys, '/data/deeper', Readable.from([await makeTar([{ name: 'x', content: word }])])), `a read-only mount refuses the PUT in docker's words ${at} extractIn`)
      .rejects.toThrow('mounted volume is marked read-only');

    const only = await daemons.harness.tempDir();
    await fs.writeFile(path.join(only, 'o.txt'), word);
    fsys.mounts.push({ destination: '/data/only', source: only, readonly: false });
    const { tar } = await archiveOut(fsys, '/data');
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(chunk as Buffer);
    const names = (await readTar(Buffer.concat(chunks))).map((i) => i.name);
    expect(names, `archiveOut walks into what is mounted below the path, also where the directory below has no entry for it ${at} archiveOut`)
      .toEqual(['data/', 'data/deeper/', 'data/new.txt', 'data/only/', 'data/only/o.txt', `data/${sub}/`, 'data/to-root']);
  });

  it('a PUT is extracted as it arrives, not buffered, and refused past the size cap while it streams', async () => {
    const rng = seeded();
    const root = await daemons.harness.tempDir();
    const fsys = { root, mounts: [], readonlyRootfs: false };
    const first = nameFrom(rng, 'first');
    const whole = await makeTar([{ name: first, content: textFrom(rng, 100) }, { name: nameFrom(rng, 'second'), content: textFrom(rng, 100) }]);
    // The first entry (512-byte header, one 512-byte block of content), then nothing more until it is on disk.
    let waited = false;
    async function* gated(): AsyncGenerator<Buffer> {
      yield whole.subarray(0, 1024);
      for (let i = 0; i < 100 && !(await fs.stat(path.join(root, first)).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
      waited = await fs.stat(path.join(root, first)).then(() => true, () => false);
      yield whole.subarray(1024);
    }
    await extractIn(fsys, '/', Readable.from(gated(), { objectMode: false }));
    expect(waited, `the first file is written while the rest of the body has not arrived yet: entries are extracted as they stream in ${rng.why} — ${WHERE} extractIn`).toBe(true);

    const chunk = 64 * 1024;
    const cap = chunk * rng.int(4, 8);
    let sent = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      yield (await makeTar([{ name: 'big', content: 'x'.repeat(cap * 4) }])).subarray(0, 512);
      for (let i = 0; i < 1000; i++) {
        sent += chunk;
        yield Buffer.alloc(chunk, 0x78);
      }
    }
    await expect(extractIn(fsys, '/', Readable.from(endless(), { objectMode: false }), { maxBytes: cap }), `a body past maxBytes fails with RequestTooLargeError (413) ${rng.why} — ${WHERE} extractIn`)
      .rejects.toBeInstanceOf(RequestTooLargeError);
    expect(sent, `reading stopped at the cap (${cap} bytes), not at the end of the body ${rng.why} — ${WHERE} extractIn`).toBeLessThan(cap * 2);
  });
}
