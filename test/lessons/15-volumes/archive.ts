/**
 * Lesson 15 checks: the archive API behind `docker cp` (HEAD, GET and PUT
 * `/containers/{id}/archive`). A real minidockerd (on the offline busybox
 * mirror) stats, archives and extracts paths of running and stopped
 * containers, root and rootless; hostile tars write nothing outside the
 * container; copies reach volumes and binds; the errors are docker's; the
 * docker CLI's `cp` works on it. The path rules themselves (symlinks, `..`,
 * mounts) and the streaming with its size cap are checked on archive.ts
 * directly, on temp dirs (15-volumes/archive-paths.ts). Names, contents and
 * modes come from a printed seed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { api } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import type { Seeded } from '../../support/seeded.js';
import { createBusybox, getArchive, GO_DIR, GO_SYMLINK, headPath, logsOf, logsUntil, makeTar, mountedAt, pick, putArchive, readTar, start, textFrom, waitExit } from './archive-helpers.js';
import { registerArchivePathChecks } from './archive-paths.js';
import type { TarItem } from './archive-helpers.js';

const WHERE = 'src/daemon/containers/archive.ts';
const FILE_MODES = [0o600, 0o604, 0o640, 0o644, 0o700, 0o750, 0o755] as const;
const DIR_MODES = [0o700, 0o711, 0o750, 0o755, 0o775] as const;
const isRoot = process.getuid?.() === 0;

/** RFC 3339 of a whole-second date, as Go prints it: no fraction. */
function goTime(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

/** Every path below `dir` (relative), but those under the `skip` prefixes; sorted. */
async function treeOf(dir: string, skip: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await fs.readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => [])) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (skip.some((s) => child === s || child.startsWith(`${s}/`))) continue;
      out.push(child);
      if (entry.isDirectory()) await walk(child);
    }
  };
  await walk('');
  return out.sort();
}

/** The directory with the file modes, the symlink and the empty directory of check 1, from the seed. */
function sampleTree(rng: Seeded, dir: string) {
  const mtime = new Date(Date.UTC(2020, rng.int(0, 11), rng.int(1, 28), rng.int(0, 23), rng.int(0, 59), rng.int(0, 59)));
  const f1 = { mode: pick(rng, FILE_MODES), content: textFrom(rng) };
  const f2 = { mode: pick(rng, FILE_MODES), content: textFrom(rng, 5000) };
  const modes = { dir: pick(rng, DIR_MODES), empty: pick(rng, DIR_MODES) };
  const items: TarItem[] = [
    { name: `${dir}/`, type: 'directory', mode: modes.dir, mtime },
    { name: `${dir}/f1`, mode: f1.mode, content: f1.content, mtime },
    { name: `${dir}/sub/`, type: 'directory', mode: 0o755, mtime },
    { name: `${dir}/sub/f2`, mode: f2.mode, content: f2.content, mtime },
    { name: `${dir}/ln`, type: 'symlink', linkname: 'f1', mode: 0o777, mtime },
    { name: `${dir}/empty/`, type: 'directory', mode: modes.empty, mtime },
  ];
  return { items, f1, f2, modes, mtime };
}

/**
 * Declares the archive checks; call it inside the lesson's describe, with the
 * fixtures the test file made (mirror started in its beforeAll, cleanup in its afterEach).
 */
export function registerArchiveChecks(daemons: ContainerDaemons): void {
  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  /** The container's rootfs mount point, for the overlay checks (root only). */
  const rootfsOf = (daemon: DaemonProcess, id: string) => path.join(daemon.dataRoot, 'containers', id, 'bundle', 'rootfs');

  it('archive GET, PUT and HEAD round-trip a directory with file modes, a symlink and an empty directory, on a running and on a stopped container', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    for (const state of ['running', 'stopped'] as const) {
      const dir = nameFrom(rng, 'd');
      const secret = textFrom(rng);
      const { items, f1, f2, modes, mtime } = sampleTree(rng, dir);
      const made = `printf %s ${secret} > /made-here`;
      const id = await createBusybox(daemon, state === 'running' ? `${made}; while [ ! -f /${dir}/sub/f2 ]; do sleep 0.1; done; echo seen-$(cat /${dir}/f1); sleep 300` : made);
      await start(daemon, id);
      if (state === 'stopped') await waitExit(daemon, id);
      const at = `(${state} container) ${rng.why} — ${WHERE}`;

      const put = await putArchive(daemon, id, '/', await makeTar(items));
      expect([put.status, put.message], `PUT /containers/{id}/archive?path=/ with a tar of ${dir}/ answers 200 ${at} extractIn`).toEqual([200, '']);

      const head = await headPath(daemon, id, `/${dir}`);
      expect(head.status, `HEAD ?path=/${dir} answers 200 ${at} statPath`).toBe(200);
      expect(head.stat, `the X-Docker-Container-Path-Stat header: base64 JSON of name, Go's FileMode (ModeDir 1<<31 + the permission bits), the tar's mtime in RFC 3339 ${at} statPath`)
        .toMatchObject({ name: dir, mode: GO_DIR + modes.dir, mtime: goTime(mtime), linkTarget: '' });
      const file = await headPath(daemon, id, `/${dir}/f1`);
      expect(file.stat, `HEAD of a file: its size and mode ${at} statPath`).toMatchObject({ name: 'f1', size: f1.content.length, mode: f1.mode });
      const link = await headPath(daemon, id, `/${dir}/ln`);
      expect(link.stat, `HEAD of a symlink stats the link itself (ModeSymlink 1<<27), and linkTarget is where it leads, from the container's / ${at} statPath`)
        .toMatchObject({ name: 'ln', mode: GO_SYMLINK + 0o777, linkTarget: `/${dir}/f1` });

      const got = await getArchive(daemon, id, `/${dir}`);
      expect([got.status, got.type], `GET ?path=/${dir} answers 200 application/x-tar ${at} archiveOut`).toEqual([200, 'application/x-tar']);
      expect(got.stat, `GET carries the same stat header as HEAD ${at} archiveOut`).toEqual(head.stat);
      const shape = got.items.map((i) => [i.name, i.type, i.mode, i.uid, i.gid, i.linkname, i.content]);
      expect(shape, `the tar has the directory under its base name, depth first in name order, the symlink as a symlink, modes and contents as they were put, owned by the container's root (0:0) ${at} archiveOut`).toEqual([
        [`${dir}/`, 'directory', modes.dir, 0, 0, '', ''],
        [`${dir}/empty/`, 'directory', modes.empty, 0, 0, '', ''],
        [`${dir}/f1`, 'file', f1.mode, 0, 0, '', f1.content],
        [`${dir}/ln`, 'symlink', 0o777, 0, 0, 'f1', ''],
        [`${dir}/sub/`, 'directory', 0o755, 0, 0, '', ''],
        [`${dir}/sub/f2`, 'file', f2.mode, 0, 0, '', f2.content],
      ]);
      expect(got.items.find((i) => i.name === `${dir}/f1`)?.mtime.getTime(), `entries keep their mtime ${at} archiveOut`).toBe(mtime.getTime());
      const dot = await getArchive(daemon, id, `/${dir}/.`);
      expect(dot.items.map((i) => i.name), `GET ?path=/${dir}/. archives the content: names start with ./, as docker's ${at} archiveOut`).toEqual(['./', './empty/', './f1', './ln', './sub/', './sub/f2']);
      const own = await getArchive(daemon, id, '/made-here');
      expect(own.items.map((i) => [i.name, i.content]), `a file the container wrote itself is archived alone under its base name${state === 'stopped' ? ' (a stopped container: its files are still there, overlay or not)' : ''} ${at} archiveOut`)
        .toEqual([['made-here', secret]]);

      if (state === 'running') {
        expect(await logsUntil(daemon, id, `seen-${f1.content}`), `the running container sees the files the PUT wrote ${at} extractIn`).toContain(`seen-${f1.content}`);
      } else if (isRoot) {
        expect(await mountedAt(rootfsOf(daemon, id)), 'a stopped container\'s overlay is mounted only for the operation: nothing is left mounted after it — containers/archive-service.ts').toBe(false);
      }
    }
  }, 120_000);

  it('a PUT with a hostile tar (../, absolute names, a symlink then a write through it, a hard link outside) writes nothing outside the container\'s root', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const outside = await daemons.harness.tempDir();
    const canary = path.join(outside, 'canary');
    const secret = textFrom(rng);
    await fs.writeFile(canary, secret);
    const id = await createBusybox(daemon, 'true');
    const own = path.join('containers', id);
    const skip = [`${own}/bundle/rootfs`, `${own}/upper`, `${own}/work`];
    const before = await treeOf(daemon.dataRoot, skip);
    const up = '../'.repeat(rng.int(6, 12));
    const n = () => nameFrom(rng, 'x');

    const refused: Array<[string, TarItem[], boolean?]> = [
      ['a name whose ../ climbs out', [{ name: `${up}${outside.slice(1)}/${n()}`, content: 'x' }]],
      ['a symlink climbing out, then a file written through it', [{ name: 'up-link', type: 'symlink', linkname: up.slice(0, -1) }, { name: `up-link${outside}/${n()}`, content: 'x' }]],
      ['a hard link to a file outside, named with ../', [{ name: n(), type: 'link', linkname: `${up}${canary.slice(1)}` }]],
      ['a device node', [{ name: n(), type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 }]],
      ['a gzip-compressed tar with a name whose ../ climbs out', [{ name: `${up}${outside.slice(1)}/${n()}`, content: 'x' }], true],
    ];
    for (const [what, items, gzip] of refused) {
      const res = await putArchive(daemon, id, '/', await makeTar(items, gzip === true));
      expect(res.status, `${what}: the PUT is refused with 400 (it said ${res.status} ${res.message}) ${rng.why} — ${WHERE} extractIn (lesson 06's cleanEntryName, resolveInRoot, LayerApplier)`).toBe(400);
    }

    // Inside the container these are fine: an absolute name is relative to the extraction point, an absolute symlink to the container's /.
    const absolute = n();
    const through = n();
    const allowed: Array<[string, TarItem[], string]> = [
      ['an absolute name', [{ name: `${outside}/${absolute}`, content: secret }], `${outside}/${absolute}`],
      ['an absolute symlink, then a file written through it', [{ name: 'abs-link', type: 'symlink', linkname: outside }, { name: `abs-link/${through}`, content: secret }], `${outside}/${through}`],
    ];
    for (const [what, items, where] of allowed) {
      const res = await putArchive(daemon, id, '/', await makeTar(items));
      expect([res.status, res.message], `${what} stays inside the container: 200 ${rng.why} — ${WHERE} extractIn`).toEqual([200, '']);
      const back = await getArchive(daemon, id, where);
      expect(back.items.map((i) => i.content), `${what}: the file is in the container at ${where}, read from the container's root ${rng.why} — ${WHERE} extractIn`).toEqual([secret]);
    }

    expect(await fs.readdir(outside), `nothing was written to the host's ${outside}: only the canary is there ${rng.why} — ${WHERE}`).toEqual(['canary']);
    const stats = await fs.stat(canary);
    expect([await fs.readFile(canary, 'utf8'), stats.nlink], 'the canary outside is unchanged, and nothing links to it').toEqual([secret, 1]);
    expect(await treeOf(daemon.dataRoot, skip), `nothing appeared in the data root outside the container's own rootfs (the image's shared tree included) ${rng.why} — ${WHERE}`).toEqual(before);
  }, 120_000);

  it('a PUT keeps the tar\'s owners, and copyUIDGID=1 gives every file the container\'s Config.User, as docker 28 does (rootless: the container\'s root, or refused)', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const [uid, gid, tarUid, tarGid] = [rng.int(1000, 60000), rng.int(1000, 60000), rng.int(1000, 60000), rng.int(1000, 60000)];
    const id = await createBusybox(daemon, 'true', { User: `${uid}:${gid}` });
    const [kept, copied] = [nameFrom(rng, 'k'), nameFrom(rng, 'c')];
    const at = `${rng.why} — ${WHERE} extractIn, containers/archive-service.ts put`;

    const plain = await putArchive(daemon, id, '/tmp', await makeTar([{ name: kept, content: 'x', uid: tarUid, gid: tarGid }]));
    expect([plain.status, plain.message], `PUT without copyUIDGID answers 200 ${at}`).toEqual([200, '']);
    const owner = (await getArchive(daemon, id, `/tmp/${kept}`)).items.map((i) => [i.uid, i.gid]);
    expect(owner, isRoot
      ? `without copyUIDGID a file keeps the uid and gid its tar entry names (as lesson 06 keeps a layer's) ${at}`
      : `rootless, an id the container's user namespace does not map becomes the container's root, as lesson 06 does with a layer's ${at}`)
      .toEqual([isRoot ? [tarUid, tarGid] : [0, 0]]);

    const withUser = await putArchive(daemon, id, '/tmp', await makeTar([{ name: copied, content: 'x', uid: tarUid, gid: tarGid }]), '&copyUIDGID=1');
    if (isRoot) {
      expect([withUser.status, withUser.message], `PUT with copyUIDGID=1 answers 200 ${at}`).toEqual([200, '']);
      const got = (await getArchive(daemon, id, `/tmp/${copied}`)).items.map((i) => [i.uid, i.gid]);
      expect(got, `copyUIDGID=1 gives the file the container's user ${uid}:${gid} (Config.User), not the tar's ${at}`).toEqual([[uid, gid]]);
    } else {
      expect([withUser.status, withUser.message], `rootless, a Config.User with no host id cannot own the files: docker's 400 ${at}`).toEqual([400, `container ID ${uid} cannot be mapped to a host ID`]);
    }
  }, 120_000);

  it('archive errors are docker\'s: 404 for a missing path, 400 for extracting onto a file, refused on a --read-only root', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const name = nameFrom(rng, 'c');
    const id = await createBusybox(daemon, 'true', {}, name);
    const missing = `/${nameFrom(rng, 'nope')}`;
    const at = `${rng.why} — ${WHERE}`;

    const head = await headPath(daemon, name, missing);
    expect(head.status, `HEAD of a missing path is a 404 ${at} statPath`).toBe(404);
    const get = await getArchive(daemon, name, missing);
    expect([get.status, get.message], `GET of a missing path: 404 in docker's words, naming the path and the container as asked ${at} archiveOut`)
      .toEqual([404, `Could not find the file ${missing} in container ${name}`]);
    const unknown = await getArchive(daemon, `${name}x`, '/etc');
    expect([unknown.status, unknown.message], 'an unknown container is docker\'s 404').toEqual([404, `No such container: ${name}x`]);
    const noPath = await getArchive(daemon, id, '');
    expect([noPath.status, noPath.message], 'no path: docker\'s 400').toEqual([400, 'bad parameter: pathcannot be empty']);

    const tarball = await makeTar([{ name: nameFrom(rng, 'f'), content: textFrom(rng) }]);
    const onFile = await putArchive(daemon, id, '/etc/passwd', tarball);
    expect([onFile.status, onFile.message], `PUT onto a file: 400 extraction point is not a directory ${at} extractIn`).toEqual([400, 'extraction point is not a directory']);
    const intoMissing = await putArchive(daemon, id, `${missing}/`, tarball);
    expect([intoMissing.status, intoMissing.message], `PUT into a missing directory: 404 ${at} extractIn`).toEqual([404, `Could not find the file ${missing}/ in container ${id}`]);
    const replace = await putArchive(daemon, id, '/', await makeTar([{ name: 'etc', content: 'not a directory' }]), '&noOverwriteDirNonDir=1');
    expect([replace.status, replace.message], `noOverwriteDirNonDir=1 refuses a file in place of the directory /etc, in docker's words ${at} extractIn`)
      .toEqual([409, 'cannot overwrite directory "/etc" with non-directory "/"']);
    expect((await headPath(daemon, id, '/etc')).stat?.mode, '/etc is still a directory').toBe(GO_DIR + 0o755);

    const readonly = await createBusybox(daemon, 'true', { HostConfig: { ReadonlyRootfs: true } });
    const refused = await putArchive(daemon, readonly, '/tmp', tarball);
    expect([refused.status, refused.message], `a --read-only container refuses a PUT to its root: docker's 400 ${at} extractIn`).toEqual([400, 'container rootfs is marked read-only']);
    const read = await getArchive(daemon, readonly, '/etc/passwd');
    expect(read.items.map((i) => i.name), `reading a --read-only container is fine ${at} archiveOut`).toEqual(['passwd']);
  }, 120_000);

  it('a copy into a stopped container is there when it starts', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const dir = nameFrom(rng, 'd');
    const file = nameFrom(rng, 'f');
    const content = textFrom(rng, 200);
    const id = await createBusybox(daemon, `cat /${dir}/${file} && echo`);
    const put = await putArchive(daemon, id, '/', await makeTar([{ name: `${dir}/${file}`, content }]));
    expect([put.status, put.message], `PUT into a container that never ran answers 200 ${rng.why} — ${WHERE} extractIn`).toEqual([200, '']);
    if (isRoot) expect(await mountedAt(rootfsOf(daemon, id)), 'nothing is left mounted after the PUT (the overlay of a stopped container is mounted for the operation only) — containers/archive-service.ts').toBe(false);
    await start(daemon, id);
    expect(await waitExit(daemon, id), `cat /${dir}/${file} finds the file: exit 0; it printed ${JSON.stringify((await logsOf(daemon, id)).slice(0, 200))}`).toBe(0);
    expect(await logsOf(daemon, id), `the container prints what was copied in before it started ${rng.why} — ${WHERE} extractIn`).toBe(`${content}\n`);
    if (isRoot) expect(await mountedAt(rootfsOf(daemon, id)), 'after the container exited its rootfs is unmounted again').toBe(false);
  }, 120_000);

  it('a copy into /data of -v vol:/data lands in the volume, into a bind mount in its host directory, and a read-only mount refuses it', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const [volume, inVolume, inBind] = [nameFrom(rng, 'v'), nameFrom(rng, 'f'), nameFrom(rng, 'g')];
    const [bindDir, roDir] = [await daemons.harness.tempDir(), await daemons.harness.tempDir()];
    const content = textFrom(rng);
    const id = await createBusybox(daemon, 'true', { HostConfig: { Binds: [`${volume}:/data`, `${bindDir}:/srv`, `${roDir}:/ro:ro`] } });
    const at = `${rng.why} — ${WHERE} locate, extractIn`;

    const put = await putArchive(daemon, id, '/', await makeTar([{ name: `data/${inVolume}`, content }, { name: `srv/${inBind}`, content }]));
    expect([put.status, put.message], `PUT / with data/… and srv/… answers 200 ${at}`).toEqual([200, '']);
    const mountpoint = (await api(daemon, 'GET', `/v1.41/volumes/${volume}`)).body?.Mountpoint as string;
    expect(await fs.readFile(path.join(mountpoint, inVolume), 'utf8').catch(() => 'missing'), `data/${inVolume} is written into the volume (${mountpoint}), not under /data of the container's own root ${at}`).toBe(content);
    expect(await fs.readFile(path.join(bindDir, inBind), 'utf8').catch(() => 'missing'), `srv/${inBind} is written into the bind mount's host directory ${at}`).toBe(content);
    const back = await getArchive(daemon, id, '/data');
    expect(back.items.map((i) => [i.name, i.content]), `GET /data reads the volume ${at} archiveOut`).toEqual([['data/', ''], [`data/${inVolume}`, content]]);
    const refused = await putArchive(daemon, id, '/ro', await makeTar([{ name: inBind, content }]));
    expect([refused.status, refused.message], `a read-only bind refuses a PUT in docker's words ${at}`).toEqual([400, 'mounted volume is marked read-only']);
    expect(await fs.readdir(roDir), 'nothing was written into the read-only bind').toEqual([]);
  }, 120_000);

  it.skipIf(docker.skip)('docker cp copies a file and a directory into and out of a container, and - streams a tar', async () => {
    const bin = requireTool(docker);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const hostname = nameFrom(rng, 'h');
    const name = nameFrom(rng, 'c');
    await createBusybox(daemon, 'sleep 300', { Hostname: hostname }, name);
    await start(daemon, name);
    const { run } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const local = await daemons.harness.tempDir();
    const [file, dir, content, inner] = [nameFrom(rng, 'f'), nameFrom(rng, 'd'), textFrom(rng), textFrom(rng)];
    await fs.writeFile(path.join(local, file), content);
    await fs.mkdir(path.join(local, dir, 'sub'), { recursive: true });
    await fs.writeFile(path.join(local, dir, 'sub', 'inner.txt'), inner);
    const at = `${rng.why} — ${WHERE}`;

    const toFile = await run(['cp', path.join(local, file), `${name}:/tmp/`]);
    expect(toFile.code, `docker cp ${file} ${name}:/tmp/ succeeds; stderr: ${toFile.stderr.slice(0, 300)} ${at}`).toBe(0);
    const toDir = await run(['cp', path.join(local, dir), `${name}:/tmp/copied`]);
    expect(toDir.code, `docker cp <dir> ${name}:/tmp/copied (a new name) succeeds; stderr: ${toDir.stderr.slice(0, 300)} ${at}`).toBe(0);

    const back = path.join(local, 'back');
    const fromDir = await run(['cp', `${name}:/tmp/copied`, back]);
    expect(fromDir.code, `docker cp ${name}:/tmp/copied <local> succeeds; stderr: ${fromDir.stderr.slice(0, 300)} ${at}`).toBe(0);
    expect(await fs.readFile(path.join(back, 'sub', 'inner.txt'), 'utf8'), `the directory came back whole ${at}`).toBe(inner);
    const fromFile = await run(['cp', `${name}:/tmp/${file}`, path.join(local, 'file-back')]);
    expect([fromFile.code, await fs.readFile(path.join(local, 'file-back'), 'utf8').catch(() => '')], `docker cp ${name}:/tmp/${file} <local> gives the file back; stderr: ${fromFile.stderr.slice(0, 300)} ${at}`).toEqual([0, content]);

    const streamed = await run(['cp', `${name}:/tmp/${file}`, '-']);
    expect(streamed.code, `docker cp ${name}:/tmp/${file} - succeeds; stderr: ${streamed.stderr.slice(0, 300)}`).toBe(0);
    expect((await readTar(Buffer.from(streamed.stdout, 'utf8'))).map((i) => [i.name, i.content]), `docker cp … - writes the daemon's tar to stdout: one entry under the base name ${at} archiveOut`).toEqual([[file, content]]);
    const hostnameTar = await run(['cp', `${name}:/etc/hostname`, '-']);
    expect((await readTar(Buffer.from(hostnameTar.stdout, 'utf8'))).map((i) => [i.name, i.content]), `/etc/hostname is the file mounted over the image's (lesson 14): reading it goes through the container's mounts ${at} resolveContainerPath`)
      .toEqual([['hostname', `${hostname}\n`]]);
  }, 120_000);
  registerArchivePathChecks(daemons);
}
