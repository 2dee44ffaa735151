/**
 * Lesson 15 checks: binds, volumes and tmpfs. The parsing of `-v` and
 * `--mount` and the spec mounts on their own, then real busybox containers
 * through a real minidockerd (on the offline mirror): a bind seen read-write
 * and read-only, tmpfs, named volumes across containers and a daemon
 * restart, a fresh volume filled from the image, anonymous volumes and
 * `rm -v`, the volumes API, and the real docker CLI. Names and contents come
 * from a printed seed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { specMounts } from '#kata/runtime/mounts.js';
import { mountPointOf, parseBind } from '#kata/daemon/volumes/mount-points.js';
import { api, runToEnd } from '../../support/container-harness.js';
import type { ContainerDaemons, MirrorFixture } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { dockerCli } from '../../support/docker-cli.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { nameFrom, seeded } from '../../support/seeded.js';

const WHERE_POINTS = 'src/daemon/volumes/mount-points.ts';
const WHERE_SERVICE = 'src/daemon/volumes/volume-service.ts';
const WHERE_SPEC = 'src/runtime/mounts.ts specMounts';

/** Declares the volume checks; call it inside the lesson's describe, with the test file's fixtures. */
export function registerVolumeChecks(daemons: ContainerDaemons, mirror: MirrorFixture): void {
  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');

  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  async function run(daemon: DaemonProcess, script: string, hostConfig: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return runToEnd(daemon, script, { HostConfig: hostConfig, ...extra }, `src/daemon/containers/container-service-base.ts prepareStart (${WHERE_SPEC})`);
  }

  /** A host directory the container's user may write: rootless, container root is the daemon's own user. */
  async function hostDir(): Promise<string> {
    const dir = await daemons.harness.tempDir();
    await fs.chmod(dir, 0o755);
    return dir;
  }

  it('-v and --mount are read as docker reads them: binds, named and anonymous volumes, tmpfs, modes, and docker\'s errors', () => {
    const rng = seeded();
    const host = `/srv/${nameFrom(rng, 'h')}`;
    const inside = `/${nameFrom(rng, 'c')}`;
    const volume = nameFrom(rng, 'v');
    expect(parseBind(`${host}:${inside}:ro`), `a bind, read-only ${rng.why} — ${WHERE_POINTS} parseBind`).toMatchObject({ Type: 'bind', Source: host, Destination: inside, RW: false, Mode: 'ro', Propagation: 'rprivate' });
    expect(parseBind(`${host}/../x/:${inside}`), 'paths are normalised').toMatchObject({ Type: 'bind', Source: '/srv/x', Destination: inside, RW: true });
    expect(parseBind(`${volume}:${inside}`), 'a name is a volume: driver local, mode z').toMatchObject({ Type: 'volume', Name: volume, Destination: inside, Driver: 'local', Mode: 'z', RW: true });
    expect(parseBind(inside), 'a destination alone is an anonymous volume').toMatchObject({ Type: 'volume', Name: '', Destination: inside, Anonymous: true });
    expect(parseBind(`${inside}:ro`), 'a destination and a mode: an anonymous volume, read-only').toMatchObject({ Type: 'volume', Destination: inside, RW: false, Anonymous: true });
    expect(parseBind(`${volume}:${inside}:nocopy`), 'nocopy keeps a fresh volume empty').toMatchObject({ NoCopy: true });
    expect(() => parseBind(`./rel:${inside}`), 'a relative host path is neither a path nor a volume name: docker\'s words').toThrow(/includes invalid characters for a local volume name.*use absolute path/);
    expect(() => parseBind(`${host}:rel`), 'a relative destination').toThrow(/mount path must be absolute/);
    expect(() => parseBind(`${host}:${inside}:rx`), 'an unknown mode').toThrow('invalid mode: rx');
    expect(() => parseBind('a:b:c:d'), 'four parts').toThrow("invalid volume specification: 'a:b:c:d'");

    const size = rng.int(1, 64) * 1024 * 1024;
    expect(mountPointOf({ Type: 'tmpfs', Target: inside, TmpfsOptions: { SizeBytes: size, Mode: 0o1777 } }), `--mount type=tmpfs: size in KiB and the mode in octal — ${WHERE_POINTS} mountPointOf`).toMatchObject({
      Type: 'tmpfs', Destination: inside, TmpfsOptions: [`size=${size / 1024}k`, 'mode=1777'],
    });
    expect(mountPointOf({ Type: 'volume', Source: volume, Target: inside, ReadOnly: true, VolumeOptions: { NoCopy: true } })).toMatchObject({ Type: 'volume', Name: volume, RW: false, NoCopy: true });
    expect(mountPointOf({ Type: 'bind', Source: host, Target: inside })).toMatchObject({ Type: 'bind', Source: host, RW: true, Propagation: 'rprivate' });
    expect(() => mountPointOf({ Type: 'bind', Source: host, Target: inside, VolumeOptions: {} }), 'options of another type are refused').toThrow('invalid mount config for type "bind": field VolumeOptions must not be specified');
    expect(() => mountPointOf({ Type: 'tmpfs', Source: host, Target: inside }), 'tmpfs has no source').toThrow('invalid mount config for type "tmpfs": field Source must not be specified');
    expect(() => mountPointOf({ Type: 'bind', Source: host, Target: '' }), 'a target is required').toThrow('invalid mount config for type "bind": field Target must not be empty');
    expect(() => mountPointOf({ Type: 'nosuch', Target: inside }), 'an unknown type').toThrow('mount type unknown: "nosuch"');
  });

  it('specMounts writes binds and tmpfs as docker writes them into config.json, parents before children', () => {
    const rng = seeded();
    const top = `/${nameFrom(rng, 'a')}`;
    const child = `${top}/${nameFrom(rng, 'b')}`;
    const source = `/srv/${nameFrom(rng, 's')}`;
    const mounts = specMounts([
      { kind: 'bind', source, destination: child, readonly: true },
      { kind: 'tmpfs', source: '', destination: top, readonly: false, tmpfsOptions: ['size=64m', 'exec'] },
      { kind: 'bind', source, destination: '/z', readonly: false, propagation: 'rshared' },
    ]);
    expect(mounts, `fewer path components first (${top} and /z, in their order), then ${child}; binds with rbind and their propagation, tmpfs with docker's defaults less what was undone ${rng.why} — ${WHERE_SPEC}`).toEqual([
      { destination: top, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=64m', 'exec'] },
      { destination: '/z', type: 'bind', source, options: ['rbind', 'rshared'] },
      { destination: child, type: 'bind', source, options: ['rbind', 'rprivate', 'ro'] },
    ]);
  });

  it('a bind mount is seen read-write, :ro refuses writes, a missing -v host directory is made, and a missing --mount source is refused', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const dir = await hostDir();
    const token = nameFrom(rng, 't');
    await fs.writeFile(path.join(dir, 'from-host'), `${token}\n`, { mode: 0o644 });
    const written = await run(daemon, 'cat /src/from-host && echo back > /src/from-container', { Binds: [`${dir}:/src`] });
    expect(written.output, `the container reads the host's file through -v ${dir}:/src ${rng.why}`).toBe(`${token}\n`);
    expect(await fs.readFile(path.join(dir, 'from-container'), 'utf8'), 'and what it writes there is on the host').toBe('back\n');
    const readonly = await run(daemon, 'echo x > /src/nope; echo "exit $?"', { Binds: [`${dir}:/src:ro`] });
    expect(readonly.output, ':ro: a write fails with a read-only file system').toMatch(/Read-only file system/);
    expect(readonly.output, 'and the shell sees it fail').toMatch(/^exit [12]$/m);
    expect(await fs.stat(path.join(dir, 'nope')).then(() => true, () => false), 'and nothing was written on the host').toBe(false);
    const viaMount = await run(daemon, 'cat /m/from-host', { Mounts: [{ Type: 'bind', Source: dir, Target: '/m', ReadOnly: true }] });
    expect(viaMount.output, '--mount type=bind,readonly reads the same file').toBe(`${token}\n`);

    const missing = path.join(dir, nameFrom(rng, 'new'), 'deep');
    const made = await run(daemon, 'ls -d /made && touch /made/f', { Binds: [`${missing}:/made`] });
    expect(made.code, `-v with a host directory that does not exist: docker makes it — ${made.output}`).toBe(0);
    expect((await fs.stat(missing)).isDirectory(), `${missing} now exists on the host`).toBe(true);
    const refused = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { Mounts: [{ Type: 'bind', Source: `${missing}-not`, Target: '/m' }] } });
    expect([refused.status, refused.body?.message], `--mount type=bind refuses a source that does not exist, at create — ${WHERE_POINTS} checkBindSources`).toEqual([400, `invalid mount config for type "bind": bind source path does not exist: ${missing}-not`]);
    const inspected = await api<any[]>(daemon, 'GET', '/v1.41/containers/json?all=1');
    expect(inspected.body?.length, 'the refused create made no container').toBe(4);
  }, 120_000);

  it('tmpfs is empty, writable, sized as asked, and gone with the container', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const mib = rng.int(2, 32);
    const res = await run(daemon, 'ls -A /scratch | wc -l; echo data > /scratch/f && cat /scratch/f; grep " /scratch " /proc/mounts', { Tmpfs: { '/scratch': `size=${mib}m` } });
    expect(res.output.split('\n').slice(0, 2), `--tmpfs /scratch:size=${mib}m is empty and writable ${rng.why}`).toEqual(['0', 'data']);
    expect(res.output, `it is a tmpfs of ${mib * 1024}k with docker's nosuid,nodev,noexec — ${WHERE_SPEC}`).toMatch(new RegExp(`^tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=${mib * 1024}k`, 'm'));
    const again = await run(daemon, 'ls -A /scratch | wc -l', { Mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: mib * 1024 * 1024 } }] });
    expect(again.output, 'a new container gets a new, empty tmpfs (--mount type=tmpfs)').toBe('0\n');
  }, 90_000);

  it('a named volume keeps its data across containers and a daemon restart, and a fresh one is filled from the image', async () => {
    const first = await daemonWithBusybox();
    const rng = seeded();
    const volume = nameFrom(rng, 'v');
    const token = nameFrom(rng, 't');
    const wrote = await run(first, `echo ${token} > /data/f`, { Binds: [`${volume}:/data`] });
    expect(wrote.code, `a container writes into -v ${volume}:/data, made at create ${rng.why} — ${WHERE_SERVICE}: ${wrote.output}`).toBe(0);
    first.signal('SIGKILL');
    await first.exited;
    const second = await daemons.start({ socketPath: first.socketPath, dataRoot: first.dataRoot });
    const read = await run(second, 'cat /d/f', { Mounts: [{ Type: 'volume', Source: volume, Target: '/d' }] });
    expect(read.output, 'after a daemon restart another container reads it through --mount type=volume').toBe(`${token}\n`);
    const listed = await api<any>(second, 'GET', '/v1.41/volumes');
    expect((listed.body?.Volumes ?? []).map((v: any) => v.Name), 'the volume is listed after the restart').toContain(volume);

    const filled = nameFrom(rng, 'etc');
    const etc = await run(second, 'head -1 /etc/passwd', { Binds: [`${filled}:/etc`] });
    expect(etc.output, `a fresh volume at /etc starts with the image's /etc (docker copies it in at the first mount) — ${WHERE_SERVICE} populate`).toMatch(/^root:/);
    const kept = await run(second, 'ls /etc | wc -l', { Binds: [`${filled}-2:/etc:nocopy`] });
    expect(kept.output.trim(), 'with nocopy it stays empty (but for the network files docker mounts into /etc)').toBe('3');
  }, 150_000);

  it('a volume in use cannot be removed; rm -v removes the anonymous volumes (the image\'s and -v /path) and keeps named ones', async () => {
    const rng = seeded();
    const image = nameFrom(rng, 'img');
    const declared = `/${nameFrom(rng, 'vol')}`;
    await mirror.pushBusyboxVariant(image, (config) => (config.Volumes = { [declared]: {} }));
    const daemon = await daemonWithBusybox();
    await daemons.pull(daemon, image);
    const named = nameFrom(rng, 'n');
    const created = await api(daemon, 'POST', '/v1.41/containers/create', {
      Image: image, Cmd: ['sleep', '300'], Volumes: { '/anon': {} }, HostConfig: { Binds: [`${named}:/named`] },
    });
    expect(created.status, `create with an image that declares VOLUME ${declared} ${rng.why}: ${created.text.slice(0, 200)}`).toBe(201);
    const id = created.body.Id as string;
    const mounts = (await api<any>(daemon, 'GET', `/v1.41/containers/${id}/json`)).body?.Mounts as any[];
    const byDestination = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    expect(Object.keys(byDestination).sort(), `inspect's Mounts: the named volume, -v /anon and the image's VOLUME — ${WHERE_POINTS}`).toEqual(['/anon', '/named', declared].sort());
    expect(byDestination['/named'], 'the named volume as docker shows it').toMatchObject({ Type: 'volume', Name: named, Driver: 'local', RW: true, Destination: '/named' });
    const anonymous = [byDestination['/anon']?.Name, byDestination[declared]?.Name];
    for (const name of anonymous) expect(name, 'an anonymous volume gets a 64-hex name').toMatch(/^[0-9a-f]{64}$/);

    const busy = await api(daemon, 'DELETE', `/v1.41/volumes/${named}`);
    expect([busy.status, busy.body?.message], `a volume a container uses (even one that never ran) cannot be removed: docker's 409 — ${WHERE_SERVICE} remove`).toEqual([409, `remove ${named}: volume is in use - [${id}]`]);
    const forced = await api(daemon, 'DELETE', `/v1.41/volumes/${named}?force=1`);
    expect(forced.status, 'not with force either').toBe(409);

    const removed = await api(daemon, 'DELETE', `/v1.41/containers/${id}?v=1`);
    expect(removed.status, 'rm -v answers 204').toBe(204);
    const left = ((await api<any>(daemon, 'GET', '/v1.41/volumes')).body?.Volumes ?? []).map((v: any) => v.Name);
    expect(left, `rm -v took the two anonymous volumes along and kept ${named} — container-service.ts remove (removeVolumes)`).toEqual([named]);
    const gone = await api(daemon, 'DELETE', `/v1.41/volumes/${named}`);
    expect(gone.status, 'unused now, the named volume is removed').toBe(204);
    const missing = await api(daemon, 'DELETE', `/v1.41/volumes/${named}`);
    expect([missing.status, missing.body?.message], 'a volume that is not there: docker\'s 404').toEqual([404, `get ${named}: no such volume`]);
  }, 150_000);

  it('the volumes API creates (the same volume again for a name taken), lists with filters, inspects and prunes as docker does', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const name = nameFrom(rng, 'v');
    const team = nameFrom(rng, 't');
    const created = await api<any>(daemon, 'POST', '/v1.41/volumes/create', { Name: name, Labels: { team } });
    expect(created.status, `POST /volumes/create answers 201; it said ${created.status} ${created.text.slice(0, 200)} ${rng.why} — ${WHERE_SERVICE} create`).toBe(201);
    expect(created.body, 'the Volume, docker\'s fields').toMatchObject({ Name: name, Driver: 'local', Scope: 'local', Labels: { team }, Options: null, Mountpoint: expect.stringMatching(new RegExp(`/volumes/${name}/_data$`)) });
    expect(created.body?.CreatedAt, 'CreatedAt is RFC 3339').toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const again = await api<any>(daemon, 'POST', '/v1.41/volumes/create', { Name: name });
    expect([again.status, again.body?.CreatedAt], 'creating a name that exists gives that volume back, as docker does').toEqual([201, created.body?.CreatedAt]);
    const anonymous = await api<any>(daemon, 'POST', '/v1.41/volumes/create', {});
    expect(anonymous.body?.Name, 'no name: an anonymous volume, 64 hex digits').toMatch(/^[0-9a-f]{64}$/);
    const bad = await api<any>(daemon, 'POST', '/v1.41/volumes/create', { Name: 'no/slash' });
    expect(bad.status, 'a name with a slash is refused').toBe(400);
    const opts = await api<any>(daemon, 'POST', '/v1.41/volumes/create', { Name: `${name}-nfs`, DriverOpts: { type: 'nfs', o: 'addr=127.0.0.1' } });
    expect([opts.status, opts.body?.message], 'driver options this daemon cannot honour are refused, never ignored').toEqual([400, expect.stringContaining('not supported by minidockerd')]);

    const q = (filters: object) => `/v1.41/volumes?filters=${encodeURIComponent(JSON.stringify(filters))}`;
    expect(((await api<any>(daemon, 'GET', q({ label: [`team=${team}`] }))).body?.Volumes ?? []).map((v: any) => v.Name), 'filter label').toEqual([name]);
    expect(((await api<any>(daemon, 'GET', q({ name: [name.slice(1, 5)] }))).body?.Volumes ?? []).map((v: any) => v.Name), 'filter name matches a part').toEqual([name]);
    const inspected = await api<any>(daemon, 'GET', `/v1.41/volumes/${name}`);
    expect(inspected.body, 'GET /volumes/{name}').toEqual(created.body);

    const pruned = await api<any>(daemon, 'POST', '/v1.41/volumes/prune');
    expect(pruned.body?.VolumesDeleted, `prune removes the unused anonymous volumes only (docker 23 and later) — ${WHERE_SERVICE} prune`).toEqual([anonymous.body?.Name]);
    const all = await api<any>(daemon, 'POST', `/v1.41/volumes/prune?filters=${encodeURIComponent(JSON.stringify({ all: ['true'] }))}`);
    expect(all.body?.VolumesDeleted, 'with all=true the unused named ones too').toEqual([name]);
    expect(typeof all.body?.SpaceReclaimed, 'and the bytes reclaimed').toBe('number');
  }, 90_000);

  it.skipIf(docker.skip)('docker run -v, -v :ro, --mount type=bind and --tmpfs, and docker volume create, ls and rm', async () => {
    const bin = requireTool(docker);
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const { run: cli } = dockerCli(bin, daemon.socketPath, await daemons.harness.tempDir());
    const dir = await hostDir();
    const token = nameFrom(rng, 't');
    await fs.writeFile(path.join(dir, 'f'), `${token}\n`, { mode: 0o644 });
    const listed = await cli(['run', '--rm', '-v', `${dir}:/src`, 'busybox', 'cat', '/src/f']);
    expect([listed.code, listed.stdout], `docker run -v ${dir}:/src busybox cat /src/f ${rng.why}: ${listed.stderr}`).toEqual([0, `${token}\n`]);
    const ro = await cli(['run', '--rm', '-v', `${dir}:/src:ro`, 'busybox', 'touch', '/src/x']);
    expect([ro.code, ro.stderr], 'docker run -v …:ro: the write fails inside').toEqual([1, expect.stringContaining('Read-only file system')]);
    const mount = await cli(['run', '--rm', '--mount', `type=bind,source=${dir},target=/m,readonly`, 'busybox', 'cat', '/m/f']);
    expect([mount.code, mount.stdout], `docker run --mount type=bind: ${mount.stderr}`).toEqual([0, `${token}\n`]);
    const tmpfs = await cli(['run', '--rm', '--tmpfs', '/t:size=1m', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts']);
    expect(tmpfs.stdout, `docker run --tmpfs /t:size=1m: ${tmpfs.stderr}`).toMatch(/^tmpfs \/t tmpfs .*size=1024k/);

    const volume = nameFrom(rng, 'v');
    expect((await cli(['volume', 'create', volume])).stdout, 'docker volume create prints the name').toBe(`${volume}\n`);
    const wrote = await cli(['run', '--rm', '-v', `${volume}:/d`, 'busybox', 'sh', '-c', `echo ${token} > /d/f`]);
    expect(wrote.code, `writing into the volume: ${wrote.stderr}`).toBe(0);
    const read = await cli(['run', '--rm', '-v', `${volume}:/d`, 'busybox', 'cat', '/d/f']);
    expect(read.stdout, 'another container reads it').toBe(`${token}\n`);
    const ls = await cli(['volume', 'ls', '--format', '{{.Driver}} {{.Name}}']);
    expect(ls.stdout.split('\n'), 'docker volume ls lists it').toContain(`local ${volume}`);
    const rm = await cli(['volume', 'rm', volume]);
    expect([rm.code, rm.stdout], `docker volume rm ${volume}: ${rm.stderr}`).toEqual([0, `${volume}\n`]);
  }, 150_000);
}
