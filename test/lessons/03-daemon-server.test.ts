/**
 * Lesson 03 — daemon: server. Graded with raw HTTP over the daemon's unix
 * socket, plus the real docker CLI where it is installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConflictError, InvalidParameterError, NotFoundError, NotModifiedError } from '#kata/errdefs.js';
import { MAX_JSON_BODY, readJson, sendJson } from '#kata/daemon/server/http.js';
import { listenOnSocket, startDaemon } from '#kata/daemon/server/server.js';
import type { RouteRegistrar } from '#kata/daemon/server/route-registrar.js';
import type { Daemon } from '#kata/daemon/server/server.js';
import { repoRoot } from '../../kata/impl-switch.js';
import { DaemonHarness, canConnect, httpRequest, pathExists } from '../support/daemon-harness.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { dockerCli } from '../support/docker-cli.js';
import type { DockerCli } from '../support/docker-cli.js';

const harness = new DaemonHarness();
let inProcess: Daemon | undefined;
let agent: http.Agent | undefined;

afterEach(async () => {
  agent?.destroy();
  agent = undefined;
  await inProcess?.close().catch(() => undefined);
  inProcess = undefined;
  await harness.cleanup();
});

const packageVersion = (JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

function json(body: string, where: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new Error(`expected a JSON body, got ${JSON.stringify(body)} — look at ${where}`);
  }
}

/** A group other than the current one where possible, so the gid check means something. */
async function pickGroup(): Promise<{ name: string; gid: number }> {
  const own = process.getgid?.() ?? 0;
  if (process.getuid?.() === 0) {
    const groups = await fs.readFile('/etc/group', 'utf8');
    for (const line of groups.split('\n')) {
      const [name, , gid] = line.split(':');
      if (name && gid && Number(gid) !== own) return { name, gid: Number(gid) };
    }
  }
  const names = execFileSync('id', ['-Gn'], { encoding: 'utf8' }).trim().split(/\s+/);
  const gids = execFileSync('id', ['-G'], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  const i = Math.max(0, gids.findIndex((g) => g !== own));
  return { name: names[i] ?? String(gids[i]), gid: gids[i] ?? own };
}

/** The real docker CLI against a daemon's socket, with a private config and no DOCKER_* settings from outside. */
async function dockerRun(bin: string, socketPath: string): Promise<DockerCli['run']> {
  return dockerCli(bin, socketPath, await harness.tempDir()).run;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True when `list` is null or a sorted array of distinct strings: how dockerd sends a driver list. */
function isDriverList(list: unknown): boolean {
  if (list === null) return true;
  if (!Array.isArray(list) || !list.every((name) => typeof name === 'string')) return false;
  return list.every((name, i) => i === 0 || (list[i - 1] as string) < name);
}

/** Starts a daemon in this process, with extra test-only routes. */
async function startInProcess(routes: RouteRegistrar[]): Promise<Daemon> {
  const dir = await harness.tempDir();
  inProcess = await startDaemon({ socketPath: path.join(dir, 'd.sock'), dataRoot: path.join(dir, 'data'), routes });
  return inProcess;
}

describe('lesson 03 — daemon: server', () => {
  it('creates the data root (0700) and listens on an owner-only socket (0600)', async () => {
    const dir = await harness.tempDir();
    const dataRoot = path.join(dir, 'not', 'yet', 'there');
    const daemon = await harness.start({ dataRoot });
    const sock = await fs.stat(daemon.socketPath);
    expect(sock.isSocket(), `${daemon.socketPath} should be a unix socket — src/daemon/server/server.ts listenOnSocket`).toBe(true);
    expect(
      (sock.mode & 0o777).toString(8),
      'the socket must be owner-only (0600): whoever can connect can run containers — src/daemon/server/server.ts listenOnSocket (chmod before it is renamed into place)',
    ).toBe('600');
    const root = await fs.stat(dataRoot).catch(() => undefined);
    expect(root?.isDirectory(), `the data root ${dataRoot} should be created when missing — src/daemon/server/server.ts startDaemon`).toBe(true);
    expect((root!.mode & 0o777).toString(8), 'the data root should be private (0700) — src/daemon/server/server.ts startDaemon').toBe('700');

    // The umask belongs to the whole process, and libuv's thread pool creates other code's files
    // at the same moment: a listenOnSocket that narrows it, however briefly, can strip their bits.
    const own = await harness.tempDir();
    const server = http.createServer();
    const umask = vi.spyOn(process, 'umask');
    const meanwhile = path.join(own, 'made-meanwhile');
    try {
      const listening = listenOnSocket(server, path.join(own, 'own.sock'));
      await fs.mkdir(meanwhile);
      await listening;
      const narrowed = umask.mock.calls.filter((args) => args.length > 0);
      expect(
        narrowed,
        'listenOnSocket must not change the process umask: files other code creates meanwhile would lose their bits. Bind inside a private directory, chmod, then rename — src/daemon/server/server.ts listenOnSocket',
      ).toEqual([]);
    } finally {
      umask.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(((await fs.stat(meanwhile)).mode & 0o700).toString(8), 'a directory made while listenOnSocket runs must keep its owner x bit').toBe('700');
    expect(
      (await fs.readdir(own)).sort(),
      'listenOnSocket should leave only the socket behind (its private bind directory removed) — src/daemon/server/server.ts listenOnSocket',
    ).toEqual(['made-meanwhile', 'own.sock']);
  });

  it('--group makes the socket 0660 and group-owned, and an unknown group is refused', async () => {
    const group = await pickGroup();
    const daemon = await harness.start({ args: ['--group', group.name] });
    // The socket appears at its path already group-owned and 0660: the harness waits only for it to accept.
    const sock = await fs.stat(daemon.socketPath);
    expect((sock.mode & 0o777).toString(8), `--group ${group.name} should make the socket 0660 — src/daemon/server/server.ts listenOnSocket`).toBe('660');
    expect(sock.gid, `--group ${group.name} should give the socket to gid ${group.gid} (chown) — src/daemon/server/server.ts listenOnSocket`).toBe(group.gid);

    const bad = await harness.start({ args: ['--group', 'no-such-group-dockerlings'], waitForSocket: false });
    const status = await bad.exited;
    expect(status.code, 'an unknown --group should make minidockerd exit 1 — src/daemon/server/server.ts startDaemon, src/daemon/main.ts runDaemon').toBe(1);
    expect(bad.stderr(), 'the error should name the unknown group').toContain('no-such-group-dockerlings');
    expect(await pathExists(bad.socketPath), 'no socket should be created for an unknown group').toBe(false);
  });

  it('ping answers GET with OK and HEAD with the headers the CLI reads', async () => {
    const daemon = await harness.start();
    const get = await httpRequest(daemon.socketPath, { path: '/_ping' });
    expect(get.status, 'GET /_ping should answer 200 — src/daemon/routes/system.ts registerSystemRoutes').toBe(200);
    expect(get.body, 'GET /_ping should answer the body OK').toBe('OK');
    const head = await httpRequest(daemon.socketPath, { method: 'HEAD', path: '/_ping' });
    expect(head.status, 'HEAD /_ping (the docker CLI\'s first request) should answer 200 — src/daemon/routes/system.ts').toBe(200);
    expect(head.body, 'a HEAD reply has no body').toBe('');
    for (const res of [get, head]) {
      expect(res.headers['api-version'], 'ping must carry Api-Version: 1.41: the CLI negotiates its /v1.NN/ prefix from it').toBe('1.41');
      expect(res.headers['ostype'], 'ping must carry Ostype: linux — src/daemon/server/http.ts engineHeaders, set in startDaemon').toBe('linux');
      expect(res.headers['docker-experimental'], 'ping must carry Docker-Experimental: false').toBe('false');
      expect(res.headers['content-type'], 'ping answers text/plain; charset=utf-8, like dockerd').toBe('text/plain; charset=utf-8');
      expect(res.headers['cache-control'], 'ping must not be cached: Cache-Control: no-cache, no-store, must-revalidate').toBe(
        'no-cache, no-store, must-revalidate',
      );
      expect(res.headers['pragma'], 'ping sends Pragma: no-cache').toBe('no-cache');
    }
  });

  it('versioned and unversioned paths reach the same route', async () => {
    const daemon = await harness.start();
    for (const p of ['/version', '/v1.41/version', '/v1.24/version', '/v1.30/info', '/info', '/v1.24/_ping', '/v1.41/_ping']) {
      const res = await httpRequest(daemon.socketPath, { path: p });
      expect(res.status, `GET ${p} should answer 200: strip an optional /v1.NN prefix before routing — src/daemon/server/router.ts splitApiVersion, Router.match`).toBe(200);
    }
    const plain = json((await httpRequest(daemon.socketPath, { path: '/version' })).body, 'src/daemon/routes/system.ts');
    const versioned = json((await httpRequest(daemon.socketPath, { path: '/v1.41/version' })).body, 'src/daemon/routes/system.ts');
    expect(versioned, '/v1.41/version and /version should be the same route with the same answer').toEqual(plain);
  });

  it('an API version outside 1.24–1.41 is refused with 400 and a message', async () => {
    const daemon = await harness.start();
    const tooNew = await httpRequest(daemon.socketPath, { path: '/v1.99/version' });
    expect(tooNew.status, '/v1.99/version should be refused with 400 (InvalidParameterError) — src/daemon/server/router.ts Router.match').toBe(400);
    expect(String(json(tooNew.body, 'src/daemon/server/http.ts sendError').message), 'say which version is the maximum, like dockerd: "client version 1.99 is too new. Maximum supported API version is 1.41"').toMatch(
      /1\.99 is too new.*1\.41/,
    );
    const tooOld = await httpRequest(daemon.socketPath, { path: '/v1.12/_ping' });
    expect(tooOld.status, '/v1.12/_ping should be refused with 400: 1.12 is older than MIN_API_VERSION 1.24 — src/daemon/server/router.ts Router.match').toBe(400);
    expect(String(json(tooOld.body, 'src/daemon/server/http.ts sendError').message), 'say which version is the minimum: "client version 1.12 is too old. Minimum supported API version is 1.24…"').toMatch(
      /1\.12 is too old.*1\.24/,
    );
    const compared = await httpRequest(daemon.socketPath, { path: '/v1.3/version' });
    expect(compared.status, 'versions compare part by part as numbers: 1.3 is older than 1.24 (not a decimal 1.3 > 1.24) — src/daemon/server/router.ts compareApiVersions').toBe(400);
    expect(String(json(compared.body, 'src/daemon/server/http.ts sendError').message), '1.3 is too old, not too new').toMatch(/too old/);
  });

  it('/version reports the versions, os and arch', async () => {
    const daemon = await harness.start();
    const res = await httpRequest(daemon.socketPath, { path: '/v1.41/version' });
    expect(res.status, 'GET /version should answer 200 — src/daemon/routes/system.ts').toBe(200);
    expect(res.headers['content-type'], '/version is JSON — src/daemon/server/http.ts sendJson').toMatch(/^application\/json/);
    const v = json(res.body, 'src/daemon/routes/system.ts systemVersion');
    const where = 'src/daemon/routes/system.ts systemVersion';
    expect(v.ApiVersion, `ApiVersion should be 1.41 — ${where}`).toBe('1.41');
    expect(v.MinAPIVersion, `MinAPIVersion should be 1.24 — ${where}`).toBe('1.24');
    expect(v.Version, `Version should be the package version ${packageVersion} — ${where}`).toBe(packageVersion);
    expect(v.Os, `Os should be linux — ${where}`).toBe('linux');
    expect(v.Arch, `Arch uses Go's names (x64 → amd64) — ${where}`).toBe(GO_ARCH[process.arch] ?? process.arch);
    expect(v.KernelVersion, `KernelVersion should be uname -r (os.release()) — ${where}`).toBe(os.release());
    const components = v.Components as Array<{ Name: string; Version: string }> | undefined;
    expect(components?.[0]?.Name, `Components[0] should be the "Engine" that docker version prints under Server — ${where}`).toBe('Engine');
    expect(components?.[0]?.Version, `the Engine component carries the same Version — ${where}`).toBe(packageVersion);
  });

  it('/info reports the real host facts, the data root, and what the route groups add', async () => {
    const daemon = await harness.start();
    const res = await httpRequest(daemon.socketPath, { path: '/info' });
    expect(res.status, 'GET /info should answer 200 — src/daemon/routes/system.ts').toBe(200);
    const info = json(res.body, 'src/daemon/routes/system.ts systemInfo');
    const where = 'src/daemon/routes/system.ts systemInfo (the facts come from probeHost)';
    expect(info.NCPU, `NCPU should be os.cpus().length — ${where}`).toBe(os.cpus().length);
    expect(info.MemTotal, `MemTotal should be os.totalmem() in bytes — ${where}`).toBe(os.totalmem());
    expect(info.Name, `Name should be the host name — ${where}`).toBe(os.hostname());
    expect(info.KernelVersion, `KernelVersion should be os.release() — ${where}`).toBe(os.release());
    expect(info.OSType, `OSType should be linux — ${where}`).toBe('linux');
    expect(info.Architecture, `Architecture uses uname -m names (x86_64), not Go's — ${where}`).toBe(os.machine());
    expect(info.DockerRootDir, `DockerRootDir should be the --data-root — ${where}`).toBe(daemon.dataRoot);
    expect(info.ServerVersion, `ServerVersion should be the package version — ${where}`).toBe(packageVersion);
    const osRelease = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
    if (pretty) expect(info.OperatingSystem, `OperatingSystem should be PRETTY_NAME from /etc/os-release — ${where}`).toBe(pretty);
    expect(info.Containers, `an empty data root has nothing to count: Containers should be 0 — ${where}`).toBe(0);
    expect(info.Images, `an empty data root has nothing to count: Images should be 0 — ${where}`).toBe(0);

    // Later route groups count their images and containers through daemon.infoSources, asked per request.
    let asked = 0;
    const counting = await startInProcess([
      (_router, d) => d.infoSources.push(async () => ({ Containers: ++asked, DefaultRuntime: 'crun' })),
    ]);
    const sourced = 'src/daemon/routes/system.ts registerSystemRoutes (merge every daemon.infoSources result over systemInfo, per request)';
    const first = json((await httpRequest(counting.socketPath, { path: '/info' })).body, sourced);
    const second = json((await httpRequest(counting.socketPath, { path: '/info' })).body, sourced);
    expect([first.Containers, second.Containers], `/info should ask daemon.infoSources on every request — ${sourced}`).toEqual([1, 2]);
    expect(first.DefaultRuntime, `an info source's fields replace the system body's — ${sourced}`).toBe('crun');
    expect(first.NCPU, `the system body's other fields stay — ${sourced}`).toBe(os.cpus().length);
  });

  it("/info answers ID, LoggingDriver, SecurityOptions, Plugins, RegistryConfig and Runtimes with docker's types", async () => {
    const daemon = await harness.start({ args: ['--registry-mirror', 'http://127.0.0.1:5000', '--registry-mirror', 'http://127.0.0.1:5000/', '--runtime', 'crun'] });
    const res = await httpRequest(daemon.socketPath, { path: '/v1.41/info' });
    expect(res.status, 'GET /info should answer 200 — src/daemon/routes/system.ts').toBe(200);
    const info = json(res.body, 'src/daemon/routes/system.ts systemInfo');
    const where = 'src/daemon/routes/system.ts systemInfo';

    expect(info.ID, `ID is the daemon's ID, a UUID (dockerd: 8-4-4-4-12 hex digits) — ${where} (ID: daemon.id), src/daemon/server/server.ts loadOrCreateEngineId`).toMatch(UUID);
    const idFile = path.join(daemon.dataRoot, 'engine-id');
    const kept = await fs.readFile(idFile, 'utf8').catch(() => undefined);
    expect(kept?.trim(), `the ID is kept in <data root>/engine-id, as dockerd keeps its own — src/daemon/server/server.ts loadOrCreateEngineId`).toBe(info.ID);
    expect(((await fs.stat(idFile)).mode & 0o777).toString(8), 'engine-id is written 0600, as dockerd writes it — src/daemon/server/server.ts loadOrCreateEngineId (writeFile with mode 0o600)').toBe('600');
    expect((await fs.readdir(daemon.dataRoot)).filter((name) => name.endsWith('.tmp')), 'no temp file is left beside engine-id: remove it once linked — src/daemon/server/server.ts loadOrCreateEngineId').toEqual([]);

    for (const [field, type] of [
      ['Name', 'string'], ['DockerRootDir', 'string'], ['LoggingDriver', 'string'], ['CgroupDriver', 'string'], ['CgroupVersion', 'string'],
      ['DefaultRuntime', 'string'], ['NCPU', 'number'], ['MemTotal', 'number'], ['Architecture', 'string'], ['OSType', 'string'],
      ['KernelVersion', 'string'], ['ServerVersion', 'string'],
    ] as const) {
      expect(typeof info[field], `${field} should be a ${type}, as in docker's system.Info — ${where}`).toBe(type);
    }
    expect(info.LoggingDriver, `LoggingDriver is the containers' default log driver, json-file — ${where}`).toBe('json-file');
    expect(['cgroupfs', 'systemd', 'none'], `CgroupDriver is one of docker's drivers — ${where}`).toContain(info.CgroupDriver);
    expect(['1', '2'], `CgroupVersion is "1" or "2" — ${where}`).toContain(info.CgroupVersion);

    const rootless = process.getuid?.() !== 0;
    expect(
      info.SecurityOptions,
      `SecurityOptions lists docker's name=… strings for what is true only: ${rootless ? '["name=rootless"] for a daemon without root' : 'null for a root daemon that applies no seccomp or AppArmor profile'} — ${where} (facts.rootless)`,
    ).toEqual(rootless ? ['name=rootless'] : null);

    const plugins = info.Plugins as Record<string, unknown> | undefined;
    const composed = 'src/daemon/compose.ts (daemon.infoSources: pluginsInfo, registryServiceConfig), merged by src/daemon/routes/system.ts registerSystemRoutes';
    expect(plugins !== null && typeof plugins === 'object', `Plugins is an object {Volume, Network, Authorization, Log} — ${composed}`).toBe(true);
    for (const kind of ['Volume', 'Network', 'Authorization', 'Log']) {
      expect(isDriverList(plugins?.[kind]), `Plugins.${kind} is a sorted list of names, or null when there is none (docker's nil slice); got ${JSON.stringify(plugins?.[kind])} — ${composed}`).toBe(true);
    }
    expect(plugins?.Log, `Plugins.Log names the log drivers the daemon accepts — ${composed}`).toEqual(expect.arrayContaining(['json-file', 'local', 'none']));
    expect(plugins?.Network, `Plugins.Network names the drivers of the network modes containers get: host, and null (--network none) — ${composed}`).toEqual(
      expect.arrayContaining(['host', 'null']),
    );

    expect(info.RegistryConfig, `RegistryConfig is shaped as dockerd 28 answers API 1.41: loopback insecure, docker.io pulled through the mirrors (normalised to end in /, repeats dropped) — ${composed}`).toEqual({
      AllowNondistributableArtifactsCIDRs: null,
      AllowNondistributableArtifactsHostnames: null,
      InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: ['http://127.0.0.1:5000/'], Secure: true, Official: true } },
      Mirrors: ['http://127.0.0.1:5000/'],
    });

    const runtimes = info.Runtimes as Record<string, unknown> | undefined;
    expect(runtimes !== null && typeof runtimes === 'object', 'Runtimes is an object: name → {path}').toBe(true);
    for (const [name, runtime] of Object.entries(runtimes ?? {})) {
      expect(typeof (runtime as { path?: unknown } | null)?.path, `Runtimes.${name} has docker's shape {"path": …}`).toBe('string');
    }
    expect(info.DefaultRuntime, '--runtime crun makes crun the DefaultRuntime (the containers routes add it through daemon.infoSources)').toBe('crun');
    expect(runtimes?.crun, 'with --runtime crun, Runtimes.crun is {"path": "crun"}').toEqual({ path: 'crun' });
  });

  it('unknown routes and wrong methods answer 404 with a JSON message and the Engine headers', async () => {
    const daemon = await harness.start();
    for (const [method, p] of [
      ['GET', '/no/such/route'],
      ['GET', '/v1.41/containers/nope/nothing'],
      ['POST', '/version'],
      ['DELETE', '/v1.41/_ping'],
    ] as const) {
      const res = await httpRequest(daemon.socketPath, { method, path: p });
      expect(res.status, `${method} ${p} should answer 404 (dockerd answers wrong methods with 404 too) — src/daemon/server/router.ts Router.match`).toBe(404);
      expect(res.headers['content-type'], `the 404 body is JSON — src/daemon/server/http.ts sendError`).toMatch(/^application\/json/);
      expect(json(res.body, 'src/daemon/server/http.ts sendError'), `${method} ${p}: the body should be {"message":"page not found"}`).toEqual({
        message: 'page not found',
      });
      expect(res.headers['api-version'], 'every reply, errors included, carries Api-Version — set engineHeaders in startDaemon').toBe('1.41');
      expect(res.headers['server'], 'every reply carries Server: minidocker/<version> (linux) — src/daemon/server/http.ts engineHeaders').toBe(
        `minidocker/${packageVersion} (linux)`,
      );
      expect(res.headers['ostype'], 'every reply carries Ostype: linux').toBe('linux');
    }
  });

  it('malformed JSON in a body answers 400; unknown body fields and query parameters are ignored', async () => {
    // A route that exists only in this check: it echoes what readJson read.
    const daemon = await startInProcess([
      (router) => {
        router.add('POST', '/test/echo', async ({ req, res }) => sendJson(res, 200, await readJson(req)));
      },
    ]);
    const bad = await httpRequest(daemon.socketPath, { method: 'POST', path: '/v1.41/test/echo', body: '{"Image": "busybox",' });
    expect(bad.status, 'a malformed JSON body should answer 400 (InvalidParameterError) — src/daemon/server/http.ts readJson').toBe(400);
    expect(String(json(bad.body, 'src/daemon/server/http.ts sendError').message), 'the message should start with "invalid JSON" — src/daemon/server/http.ts readJson').toMatch(/^invalid JSON/);

    const body = { Image: 'busybox', FieldFromAFutureApi: { GwPriority: 1 } };
    const ok = await httpRequest(daemon.socketPath, { method: 'POST', path: '/test/echo', body: JSON.stringify(body) });
    expect(ok.status, 'a JSON body without Content-Type must be read: clients differ in what they send — src/daemon/server/http.ts readJson').toBe(200);
    expect(json(ok.body, 'src/daemon/server/http.ts'), 'readJson must keep unknown fields rather than fail on them').toEqual(body);
    const empty = await httpRequest(daemon.socketPath, { method: 'POST', path: '/test/echo' });
    expect(empty.status, 'an empty body is not malformed — src/daemon/server/http.ts readJson').toBe(200);
    expect(json(empty.body, 'src/daemon/server/http.ts'), 'an empty body reads as {} — src/daemon/server/http.ts readJson').toEqual({});

    const plain = await httpRequest(daemon.socketPath, { path: '/version' });
    const withQuery = await httpRequest(daemon.socketPath, { path: '/v1.41/version?all=1&Image=busybox%3Alatest&x' });
    expect(withQuery.status, 'unknown query parameters must be ignored: route on the path only — src/daemon/server/router.ts Router.match').toBe(200);
    expect(withQuery.body, 'the query must not change /version').toBe(plain.body);
  });

  it('a JSON body past 1 MiB answers 413 as soon as the cap is passed, without reading the rest', async () => {
    const daemon = await startInProcess([
      (router) => {
        router.add('POST', '/test/echo', async ({ req, res }) => sendJson(res, 200, await readJson(req)));
      },
    ]);
    expect(MAX_JSON_BODY, 'the cap is 1 MiB — src/daemon/server/http.ts MAX_JSON_BODY').toBe(1024 * 1024);
    // Exactly at the cap is fine; one byte more is not.
    const padded = (size: number) => `{"pad":"${'x'.repeat(size - '{"pad":""}'.length)}"}`;
    const atCap = await httpRequest(daemon.socketPath, { method: 'POST', path: '/test/echo', body: padded(MAX_JSON_BODY), timeoutMs: 20_000 });
    expect(atCap.status, 'a body of exactly 1 MiB is within the cap and is read — src/daemon/server/http.ts readJson').toBe(200);

    // A client that announces 5 MB and has sent nothing yet: the header alone says no.
    const announced = await rawPost(daemon.socketPath, { 'Content-Length': String(5 * 1024 * 1024) }, []);
    expect(announced.status, 'a Content-Length over the cap answers 413 before any byte is read — src/daemon/server/http.ts readJson').toBe(413);
    expect(String(json(announced.body, 'src/daemon/server/http.ts sendError').message), 'the 413 says why — src/daemon/server/http.ts readJson').toMatch(/larger than/);
    expect(announced.connection, 'after a 413 the connection is closed (Connection: close): the rest of the body was never read — src/daemon/server/http.ts sendError').toBe('close');

    // A chunked body has no length: 1.5 MiB sent, the request still open. Counting while
    // reading answers now; reading everything first would wait for an end that never comes.
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const streamed = await rawPost(daemon.socketPath, { 'Transfer-Encoding': 'chunked' }, [Buffer.from('{"pad":"'), chunk, chunk, chunk, chunk, chunk, chunk]);
    expect(streamed.status, 'a chunked body is cut off with 413 once it passes 1 MiB, while the client is still sending — src/daemon/server/http.ts readJson (count the bytes as they arrive)').toBe(413);
    const still = await httpRequest(daemon.socketPath, { path: '/_ping' });
    expect(still.status, 'the daemon goes on serving after a 413').toBe(200);
  });

  it('Engine errors map to 400, 404, 409, 304 and 500 with a {message} body', async () => {
    const errors: Record<string, () => Error> = {
      invalid: () => new InvalidParameterError('bad parameter'),
      missing: () => new NotFoundError('No such container: web'),
      clash: () => new ConflictError('name in use'),
      same: () => new NotModifiedError('container already started'),
      boom: () => new Error('something broke'),
    };
    const daemon = await startInProcess([
      (router) => {
        router.add('POST', '/test/fail/{kind}', async ({ params }) => {
          throw (errors[params.kind ?? ''] ?? errors.boom!)();
        });
      },
    ]);
    const expected: Array<[string, number, string | undefined]> = [
      ['invalid', 400, 'bad parameter'],
      ['missing', 404, 'No such container: web'],
      ['clash', 409, 'name in use'],
      ['same', 304, undefined],
      ['boom', 500, 'something broke'],
    ];
    for (const [kind, status, message] of expected) {
      const res = await httpRequest(daemon.socketPath, { method: 'POST', path: `/v1.41/test/fail/${kind}` });
      expect(res.status, `a handler throwing ${errors[kind]!().name} should answer ${status} — src/daemon/server/http.ts statusForError`).toBe(status);
      if (message === undefined) {
        expect(res.body, 'a 304 has no body — src/daemon/server/http.ts sendError').toBe('');
      } else {
        expect(json(res.body, 'src/daemon/server/http.ts sendError'), `the body should be {"message": "${message}"} — src/daemon/server/http.ts sendError`).toEqual({ message });
      }
    }
  });

  it('SIGTERM and SIGINT shut the daemon down with exit code 0 and remove the socket', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const daemon = await harness.start();
      // An idle keep-alive connection (as dockerode keeps) must not hold the shutdown up.
      agent = new http.Agent({ keepAlive: true });
      const res = await httpRequest(daemon.socketPath, { path: '/_ping', agent });
      expect(res.status, 'ping should work before the shutdown').toBe(200);
      daemon.signal(signal);
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref());
      const status = await Promise.race([daemon.exited, timeout]);
      expect(status, `minidockerd should exit within 10 s of ${signal}, even with an idle keep-alive connection open — src/daemon/server/server.ts closeServer`).not.toBe('timeout');
      expect(status, `${signal} should stop minidockerd with exit code 0, not kill it — src/daemon/main.ts runDaemon (process.on('${signal}'))`).toEqual({
        code: 0,
        signal: null,
      });
      expect(await pathExists(daemon.socketPath), `the socket should be removed after ${signal} — src/daemon/server/server.ts closeServer`).toBe(false);
      agent.destroy();
    }
  });

  it('a stale socket left by a crashed daemon is replaced at start', async () => {
    const dir = await harness.tempDir();
    const socketPath = path.join(dir, 'd.sock');
    // A process that binds the socket, then dies by SIGKILL: nothing gets to remove the file.
    const crashed = await harness.start({ socketPath });
    crashed.signal('SIGKILL');
    await crashed.exited;
    expect(await pathExists(socketPath), 'test setup: the killed daemon should leave its socket file behind').toBe(true);
    expect(await canConnect(socketPath), 'test setup: nobody listens on the stale socket').toBe(false);

    const daemon = await harness.start({ socketPath });
    const ping = await httpRequest(daemon.socketPath, { path: '/_ping' });
    expect(ping.body, 'the new daemon should replace the stale socket and answer ping — src/daemon/server/server.ts removeStaleSocket').toBe('OK');
  });

  it('a live daemon on the socket, or a file that is not a socket, is refused and left alone', async () => {
    const first = await harness.start();
    const second = await harness.start({ socketPath: first.socketPath, waitForSocket: false });
    const status = await second.exited;
    expect(status.code, 'a second daemon on a live socket should exit 1 — src/daemon/server/server.ts removeStaleSocket').toBe(1);
    expect(second.stderr(), 'the message should say another daemon is already listening').toMatch(/already listening/);
    expect(second.stderr(), 'the message should name the socket').toContain(first.socketPath);
    const ping = await httpRequest(first.socketPath, { path: '/_ping' });
    expect(ping.body, 'the first daemon must keep serving: never remove a live daemon\'s socket — src/daemon/server/server.ts removeStaleSocket').toBe('OK');

    const dir = await harness.tempDir();
    const notASocket = path.join(dir, 'important.txt');
    await fs.writeFile(notASocket, 'keep me\n');
    const third = await harness.start({ socketPath: notASocket, waitForSocket: false });
    expect((await third.exited).code, 'a path holding a regular file should be refused with exit 1 — src/daemon/server/server.ts removeStaleSocket').toBe(1);
    expect(await fs.readFile(notASocket, 'utf8'), 'a regular file at the socket path must never be deleted or replaced').toBe('keep me\n');
    expect(third.stderr(), 'the message should name the path').toContain(notASocket);
  });

  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');
  it.skipIf(docker.skip)('the real docker CLI runs version and info against the daemon', async () => {
    const bin = requireTool(docker);
    const daemon = await harness.start();
    const run = await dockerRun(bin, daemon.socketPath);

    const version = await run(['version']);
    expect(version.code, `docker version should exit 0; it said:\n${version.stderr}`).toBe(0);
    expect(version.stdout, 'docker version should print a Server section — src/daemon/routes/system.ts systemVersion').toMatch(/^Server: minidocker/m);
    expect(version.stdout, 'the Server section should show API version 1.41 (minimum version 1.24)').toMatch(/API version:\s+1\.41 \(minimum version 1\.24\)/);

    const info = await run(['info']);
    expect(info.code, `docker info should exit 0; it said:\n${info.stderr}`).toBe(0);
    expect(info.stdout, 'docker info should print the Server Version — src/daemon/routes/system.ts systemInfo').toContain(
      `Server Version: ${packageVersion}`,
    );
    expect(info.stdout, 'docker info should print the data root').toContain(`Docker Root Dir: ${daemon.dataRoot}`);
    expect(info.stderr, 'docker info should not report errors').not.toMatch(/error/i);
  });

  it.skipIf(docker.skip)("docker info keeps the daemon's ID across a restart on the same data root, and a new data root gets a new one", async () => {
    const bin = requireTool(docker);
    const dir = await harness.tempDir();
    const socketPath = path.join(dir, 'd.sock');
    const dataRoot = path.join(dir, 'data');
    const idOf = async (daemon: { socketPath: string }, when: string) => {
      const res = await (await dockerRun(bin, daemon.socketPath))(['info', '--format', '{{.ID}}']);
      expect(res.code, `docker info --format '{{.ID}}' should exit 0 ${when}; it said:\n${res.stderr}`).toBe(0);
      return res.stdout.trim();
    };

    const first = await harness.start({ socketPath, dataRoot });
    const id = await idOf(first, 'at the first start');
    expect(id, 'docker info should print the daemon ID, a UUID — src/daemon/routes/system.ts systemInfo (ID), src/daemon/server/server.ts loadOrCreateEngineId').toMatch(UUID);
    first.signal('SIGTERM');
    expect((await first.exited).code, 'the daemon should stop with exit code 0 on SIGTERM').toBe(0);

    const again = await harness.start({ socketPath, dataRoot });
    expect(
      await idOf(again, 'after the restart'),
      'after a restart on the same data root the ID is the same: read it from <data root>/engine-id, never make a new one when it is there — src/daemon/server/server.ts loadOrCreateEngineId',
    ).toBe(id);

    const other = await harness.start();
    const otherId = await idOf(other, 'on a new data root');
    expect(otherId, 'a daemon on a new data root prints an ID too').toMatch(UUID);
    expect(otherId, 'a new data root is a new daemon with a new ID — src/daemon/server/server.ts loadOrCreateEngineId (randomUUID)').not.toBe(id);
  });
});

/**
 * Sends a POST to /test/echo with `headers`, writes `chunks` and never ends the
 * request; resolves with the reply, or rejects when none comes within 5 s.
 */
function rawPost(socketPath: string, headers: Record<string, string>, chunks: Buffer[]): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method: 'POST', path: '/test/echo', headers, agent: false });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no reply within 5 s while the client was still sending: the body must be counted as it arrives, not read whole first — src/daemon/server/http.ts readJson'));
    }, 5_000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
    for (const chunk of chunks) req.write(chunk);
  });
}
