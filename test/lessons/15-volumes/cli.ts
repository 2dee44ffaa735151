/**
 * Lesson 15 checks: the workshop's own CLI on the mounts, volumes and archive
 * API a real minidockerd (on the offline busybox mirror) gives. `minidocker
 * run -v` and `--mount` bind host directories read-write and read-only;
 * `minidocker volume …` manages named volumes and prunes anonymous ones,
 * printed as docker prints them; `minidocker cp` copies files and directories
 * both ways by docker's rules. The CLI itself is provided, but `run` is
 * lesson 02's: its messages point there. Names and contents come from a printed seed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { expect, it } from 'vitest';
import { repoRoot } from '../../../kata/impl-switch.js';
import { api } from '../../support/container-harness.js';
import type { ContainerDaemons } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import type { CliResult } from '../../support/docker-cli.js';
import { minidocker } from '../../support/minidocker-cli.js';
import { nameFrom, seeded } from '../../support/seeded.js';
import type { Seeded } from '../../support/seeded.js';

const RUN = 'src/cli/commands/run.ts buildCreateRequest (lesson 02): return withVolumes(withNetworking(body, options.networking), options.volumes)';
const ARCHIVE = "the daemon's archive API: HEAD, GET and PUT /containers/{id}/archive?path=";

/** `minidocker -H unix://<socket> …args` with `input` on its stdin. */
function minidockerWithInput(socketPath: string, args: string[], input: Buffer, timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(repoRoot, 'bin', 'minidocker.js'), '-H', `unix://${socketPath}`, ...args], { cwd: repoRoot, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(input);
  });
}

/** A tar of the given files (name → content), written by tar-stream, never by the code under test. */
async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(pack as AsyncIterable<Buffer>)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The entries of a tar (name → content of regular files, '' for others), read with tar-stream. */
async function entriesOf(data: Buffer): Promise<Record<string, string>> {
  const extract = tar.extract();
  const entries: Record<string, string> = {};
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries[entry.header.name] = Buffer.concat(chunks).toString('utf8');
    }
  })();
  extract.end(data);
  await done;
  return entries;
}

/**
 * Declares the CLI checks on a real daemon; call it inside the lesson's
 * describe, with the fixtures the test file made (mirror started in its
 * beforeAll, cleanup in its afterEach).
 */
export function registerCliChecks(daemons: ContainerDaemons): void {
  async function daemonWithBusybox(): Promise<DaemonProcess> {
    const daemon = await daemons.start();
    await daemons.pull(daemon, 'busybox');
    return daemon;
  }

  it('minidocker run -v and --mount bind a host directory read-write and read-only', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);
    const shared = await daemons.harness.scope.tempDir('dl15-rw-');
    const locked = await daemons.harness.scope.tempDir('dl15-ro-');
    const [given, written, secret] = [nameFrom(rng, 'in'), nameFrom(rng, 'out'), nameFrom(rng, 'ro')];
    await fs.writeFile(path.join(shared, 'in.txt'), `${given}\n`);
    await fs.writeFile(path.join(locked, 'ro.txt'), `${secret}\n`);
    const script = `cat /data/in.txt; echo ${written} > /data/out.txt; cat /ro/ro.txt; if touch /ro/w 2>/dev/null; then echo writable; else echo read-only; fi`;

    for (const [how, flags] of [
      ['-v', ['-v', `${shared}:/data`, '-v', `${locked}:/ro:ro`]],
      ['--mount', ['--mount', `type=bind,source=${shared},target=/data`, '--mount', `type=bind,src=${locked},dst=/ro,readonly`]],
    ] as const) {
      await fs.rm(path.join(shared, 'out.txt'), { force: true });
      const name = nameFrom(rng, 'bind');
      const ran = await cli(['run', '--name', name, ...flags, 'busybox', 'sh', '-c', script]);
      expect([ran.code, ran.stderr], `minidocker run ${flags.join(' ')} busybox sh -c … exits 0 ${rng.why} — ${RUN}`).toEqual([0, '']);
      expect(ran.stdout.split('\n'), `${how}: the container reads the host's files at /data and /ro, and /ro refuses writes`).toEqual([given, secret, 'read-only', '']);
      expect(await fs.readFile(path.join(shared, 'out.txt'), 'utf8').catch(() => ''), `${how}: what the container wrote to /data is in the host directory ${shared}`).toBe(`${written}\n`);
      expect(await fs.readdir(locked), `${how}: nothing appeared in the read-only host directory`).toEqual(['ro.txt']);

      const inspected = (await api<any>(daemon, 'GET', `/v1.41/containers/${name}/json`)).body;
      if (how === '-v') {
        expect(inspected?.HostConfig?.Binds, `-v travels as HostConfig.Binds, as given — ${RUN}`).toEqual([`${shared}:/data`, `${locked}:/ro:ro`]);
      } else {
        expect(inspected?.HostConfig?.Mounts, `--mount travels as HostConfig.Mounts in docker's form — ${RUN}`).toEqual([
          { Type: 'bind', Source: shared, Target: '/data' },
          { Type: 'bind', Source: locked, Target: '/ro', ReadOnly: true },
        ]);
      }
      const mounts = ((inspected?.Mounts ?? []) as Array<Record<string, unknown>>).map(({ Type, Source, Destination, RW }) => ({ Type, Source, Destination, RW }));
      expect(mounts.sort((a, b) => String(a.Destination).localeCompare(String(b.Destination))), `${how}: inspect lists both in Mounts (Type, Source, Destination, RW)`).toEqual([
        { Type: 'bind', Source: shared, Destination: '/data', RW: true },
        { Type: 'bind', Source: locked, Destination: '/ro', RW: false },
      ]);
      expect((await cli(['rm', name])).code, `minidocker rm ${name}`).toBe(0);
    }

    const refused = await cli(['run', '--rm', '--mount', `type=bind,source=${shared}`, 'busybox', 'true']);
    expect([refused.code, refused.stderr], 'a --mount without a target is refused by the CLI itself, in docker\'s words, exit 125 (cli/mount-flag.ts)').toEqual([
      125, `minidocker: invalid argument "type=bind,source=${shared}" for "--mount" flag: target is required\nSee 'minidocker run --help'.\n`,
    ]);
    const spec = await cli(['run', '--rm', '-v', ':/x', 'busybox', 'true']);
    expect([spec.code, spec.stderr.split('\n')[0]], 'so is a -v with an empty section (cli/volume-flags.ts)').toEqual([125, 'minidocker: invalid spec: :/x: empty section between colons']);
  }, 150_000);

  it('minidocker volume create, ls, inspect, rm and prune, printed as docker prints them', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);
    const [volume, team, token] = [nameFrom(rng, 'vol'), nameFrom(rng, 't'), nameFrom(rng, 'tok')];

    const created = await cli(['volume', 'create', '--label', `team=${team}`, volume]);
    expect([created.code, created.stdout, created.stderr], `minidocker volume create --label team=${team} ${volume} prints the name ${rng.why}`).toEqual([0, `${volume}\n`, '']);

    const listed = await cli(['volume', 'ls']);
    const [header, ...rows] = listed.stdout.trimEnd().split('\n');
    expect([listed.code, header], 'minidocker volume ls has docker\'s columns, padded as docker pads them').toEqual([0, 'DRIVER    VOLUME NAME']);
    expect(rows, 'the new volume is a row: local, then its name — GET /volumes').toContain(`local     ${volume}`);
    const quiet = await cli(['volume', 'ls', '-q', '--filter', `label=team=${team}`]);
    expect(quiet.stdout, `volume ls -q --filter label=team=${team}: only its name`).toBe(`${volume}\n`);

    const inspected = await cli(['volume', 'inspect', volume]);
    expect(inspected.code, `minidocker volume inspect ${volume} exits 0; stderr: ${inspected.stderr.slice(0, 300)}`).toBe(0);
    expect(inspected.stdout, 'a JSON array indented by 4 spaces, as docker prints it').toMatch(/^\[\n {4}\{\n {8}"[\s\S]*\n {4}\}\n\]\n$/);
    const [info] = JSON.parse(inspected.stdout) as Array<Record<string, any>>;
    expect(info, 'holding the volume: name, driver local, scope local, its labels and a Mountpoint').toEqual(
      expect.objectContaining({ Name: volume, Driver: 'local', Scope: 'local', Labels: { team }, Mountpoint: expect.stringMatching(/^\//) }),
    );
    const unknown = nameFrom(rng, 'gone');
    const none = await cli(['volume', 'inspect', unknown]);
    expect([none.code, none.stdout, none.stderr], 'an unknown volume: [] on stdout, the daemon\'s error on stderr, exit 1').toEqual([
      1, '[]\n', `Error response from daemon: get ${unknown}: no such volume\n`,
    ]);

    // -v NAME:/path and --mount source=NAME share the volume's data between containers.
    const writer = await cli(['run', '--rm', '-v', `${volume}:/data`, 'busybox', 'sh', '-c', `echo ${token} > /data/token`]);
    expect([writer.code, writer.stderr], `minidocker run --rm -v ${volume}:/data busybox sh -c 'echo … > /data/token' — ${RUN}`).toEqual([0, '']);
    const holder = nameFrom(rng, 'holder');
    const reader = await cli(['run', '--name', holder, '--mount', `source=${volume},target=/v,readonly`, 'busybox', 'cat', '/v/token']);
    expect([reader.code, reader.stdout], `a second container with --mount source=${volume},target=/v reads what the first wrote`).toEqual([0, `${token}\n`]);
    const busy = await cli(['volume', 'rm', volume]);
    expect([busy.code, busy.stdout], `volume rm ${volume} while the (stopped) container ${holder} uses it: refused by the daemon, exit 1`).toEqual([1, '']);
    expect(busy.stderr, 'with docker\'s reason').toMatch(/^Error response from daemon: .*volume is in use/);
    expect((await cli(['rm', holder])).code, `minidocker rm ${holder}`).toBe(0);
    const removed = await cli(['volume', 'rm', volume]);
    expect([removed.code, removed.stdout, removed.stderr], `then volume rm ${volume} prints its name`).toEqual([0, `${volume}\n`, '']);
    expect((await cli(['volume', 'ls', '-q', '--filter', `name=${volume}`])).stdout, 'and it is gone from the list').toBe('');
    const forced = await cli(['volume', 'rm', '-f', volume]);
    expect([forced.code, forced.stderr], 'volume rm -f of a volume that is gone is no error (?force=1)').toEqual([0, '']);

    // Prune: anonymous volumes by default, named ones too with -a.
    const named = [nameFrom(rng, 'p'), nameFrom(rng, 'q')];
    for (const name of named) expect((await cli(['volume', 'create', name])).code, `volume create ${name}`).toBe(0);
    const anonHolder = nameFrom(rng, 'anon');
    expect((await cli(['run', '--name', anonHolder, '-v', '/scratch', 'busybox', 'true'])).code, 'minidocker run -v /scratch (an anonymous volume)').toBe(0);
    const anonymous = ((await api<any>(daemon, 'GET', `/v1.41/containers/${anonHolder}/json`)).body?.Mounts ?? []).find((m: any) => m.Destination === '/scratch')?.Name;
    expect(anonymous, `-v /scratch travels as Config.Volumes {"/scratch": {}} and gets an anonymous volume with a 64-hex name — ${RUN}`).toMatch(/^[0-9a-f]{64}$/);
    expect((await cli(['rm', anonHolder])).code, `minidocker rm ${anonHolder} (without -v: the volume stays)`).toBe(0);

    const pruned = await cli(['volume', 'prune', '-f']);
    expect(pruned.code, `minidocker volume prune -f exits 0; stderr: ${pruned.stderr.slice(0, 300)}`).toBe(0);
    expect(pruned.stdout, 'it removes only the anonymous volume, and prints it as docker does').toMatch(
      new RegExp(`^Deleted Volumes:\\n${anonymous}\\n\\nTotal reclaimed space: [0-9.]+[kMG]?B\\n$`),
    );
    const all = await cli(['volume', 'prune', '-a', '-f']);
    const [title = '', ...names] = all.stdout.split('\n');
    expect([all.code, title], 'volume prune -a -f (filters {"all":["true"]}): "Deleted Volumes:" first').toEqual([0, 'Deleted Volumes:']);
    expect(names.slice(0, -3).sort(), 'it removed both unused named volumes').toEqual(named.sort());
    expect(names.slice(-3), 'then a blank line and the space reclaimed').toEqual(['', expect.stringMatching(/^Total reclaimed space: [0-9.]+[kMG]?B$/), '']);
  }, 150_000);

  it('minidocker cp copies a file and a directory into and out of a container', async () => {
    const daemon = await daemonWithBusybox();
    const rng = seeded();
    const cli = (args: string[]) => minidocker(daemon.socketPath, args, 60_000);
    const local = await daemons.harness.scope.tempDir('dl15-cp-');
    const [fileText, deepText, stdinText] = [nameFrom(rng, 'file'), nameFrom(rng, 'deep'), nameFrom(rng, 'stdin')];
    await fs.writeFile(path.join(local, 'f.txt'), `${fileText}\n`);
    await fs.mkdir(path.join(local, 'tree', 'a'), { recursive: true });
    await fs.writeFile(path.join(local, 'tree', 'a', 'b.txt'), `${deepText}\n`);
    await fs.symlink('a/b.txt', path.join(local, 'tree', 'link'));
    const box = nameFrom(rng, 'box');
    const started = await cli(['run', '-d', '--name', box, 'busybox', 'sleep', '300']);
    expect([started.code, started.stderr], `minidocker run -d --name ${box} busybox sleep 300 ${rng.why}`).toEqual([0, '']);
    const inside = async (script: string) => (await cli(['exec', box, 'sh', '-c', script])).stdout;

    // Into the container.
    const file = await cli(['cp', path.join(local, 'f.txt'), `${box}:/tmp`]);
    expect([file.code, file.stdout, file.stderr], `minidocker cp ${local}/f.txt ${box}:/tmp (an existing directory) exits 0, silent without a terminal — ${ARCHIVE}`).toEqual([0, '', '']);
    expect(await inside('cat /tmp/f.txt'), 'the file went into the directory under its own name').toBe(`${fileText}\n`);
    const renamed = await cli(['cp', path.join(local, 'f.txt'), `${box}:/tmp/renamed.txt`]);
    expect([renamed.code, await inside('cat /tmp/renamed.txt')], 'cp to a path that does not exist: the copy gets that name').toEqual([0, `${fileText}\n`]);
    const dir = await cli(['cp', path.join(local, 'tree'), `${box}:/tmp/copied`]);
    expect([dir.code, dir.stderr], `minidocker cp ${local}/tree ${box}:/tmp/copied exits 0`).toEqual([0, '']);
    expect(await inside('cat /tmp/copied/a/b.txt; readlink /tmp/copied/link'), 'a directory copied to a new path takes that name, with its files and its symlink as a symlink').toBe(`${deepText}\na/b.txt\n`);
    const contents = await cli(['cp', `${path.join(local, 'tree')}/.`, `${box}:/tmp`]);
    expect([contents.code, await inside('cat /tmp/a/b.txt')], 'SRC/. copies the directory\'s contents into an existing directory').toEqual([0, `${deepText}\n`]);
    const fromStdin = await minidockerWithInput(daemon.socketPath, ['cp', '-', `${box}:/tmp`], await tarOf({ 'stdin.txt': `${stdinText}\n` }));
    expect([fromStdin.code, fromStdin.stderr, await inside('cat /tmp/stdin.txt')], `minidocker cp - ${box}:/tmp extracts the tar read on stdin`).toEqual([0, '', `${stdinText}\n`]);
    const onto = await cli(['cp', path.join(local, 'tree'), `${box}:/tmp/f.txt`]);
    expect([onto.code, onto.stderr], 'a directory onto an existing file: docker\'s error, from the HEAD stat, exit 1').toEqual([1, 'cannot copy directory\n']);

    // Out of the container.
    const out = await daemons.harness.scope.tempDir('dl15-out-');
    const back = await cli(['cp', `${box}:/tmp/copied`, out]);
    expect([back.code, back.stdout, back.stderr], `minidocker cp ${box}:/tmp/copied ${out} exits 0 — ${ARCHIVE}`).toEqual([0, '', '']);
    expect(await fs.readFile(path.join(out, 'copied', 'a', 'b.txt'), 'utf8').catch(() => 'missing'), 'the directory arrived inside the existing local directory, under its name').toBe(`${deepText}\n`);
    expect(await fs.readlink(path.join(out, 'copied', 'link')).catch(() => 'missing'), 'its symlink is still a symlink').toBe('a/b.txt');
    const single = await cli(['cp', `${box}:/tmp/f.txt`, path.join(out, 'g.txt')]);
    expect([single.code, await fs.readFile(path.join(out, 'g.txt'), 'utf8').catch(() => 'missing')], 'a file copied out to a new local name').toEqual([0, `${fileText}\n`]);
    const asTar = await cli(['cp', `${box}:/tmp/f.txt`, '-']);
    expect(asTar.code, `minidocker cp ${box}:/tmp/f.txt - exits 0`).toBe(0);
    // An all-ASCII tar (names, numbers, content) survives execFile's utf8 decoding unchanged.
    expect(await entriesOf(Buffer.from(asTar.stdout, 'utf8')).catch(() => ({})), 'with - the tar itself goes to stdout, its entry named after the file').toEqual({ 'f.txt': `${fileText}\n` });
    const missing = await cli(['cp', `${box}:/${nameFrom(rng, 'nope')}`, out]);
    expect([missing.code, missing.stderr], 'a path that does not exist in the container: the daemon\'s 404, exit 1').toEqual([1, expect.stringMatching(/^Error response from daemon: /)]);

    expect((await cli(['rm', '-f', box])).code, `minidocker rm -f ${box}`).toBe(0);
  }, 150_000);
}
