/**
 * Lesson 09 — daemon: images API. Graded checks.
 *
 * A reference registry holds the offline busybox image twice: as
 * `library/busybox:latest` (the daemon's docker.io mirror) and as `x:latest`
 * (addressed directly as `127.0.0.1:PORT/x`). Each check starts the selected
 * minidockerd as a process with `--registry-mirror <registry>` and talks raw
 * HTTP to it, the way the docker CLI does.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../kata/impl-switch.js';
import { BASE_IMAGE_CREATED, buildBaseImages } from '../../fixtures/base-images.js';
import { DaemonHarness, httpRequest } from '../support/daemon-harness.js';
import type { DaemonProcess, HttpResponse } from '../support/daemon-harness.js';
import { pushLayoutToDistribution, startDistribution } from '../support/distribution.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { RegistryHarness, pushLayout } from '../support/registry-harness.js';
import { dockerCli } from '../support/docker-cli.js';

interface Message {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: { Tag?: string; Digest?: string; Size?: number };
  error?: string;
  errorDetail?: { message: string };
}

interface BusyboxFacts {
  manifestDigest: string;
  configDigest: string;
  layers: { digest: string; size: number }[];
  diffIds: string[];
}

const registries = new RegistryHarness();
const harness = new DaemonHarness();
let mirror: { url: string; host: string };
let busybox: BusyboxFacts;
let busyboxLayout: string;
const NO_AUTH = { 'X-Registry-Auth': 'e30=' };

beforeAll(async () => {
  const dir = await registries.tempDir();
  const images = await buildBaseImages(path.join(dir, 'images'));
  const layout = images.busybox.layoutDir;
  busyboxLayout = layout;
  const registry = await registries.startReference();
  mirror = { url: registry.url, host: registry.host };
  const manifestDigest = await pushLayout(registry.url, 'library/busybox', 'latest', layout);
  await pushLayout(registry.url, 'x', 'latest', layout);
  const blob = async (digest: string) =>
    JSON.parse(await fs.readFile(path.join(layout, 'blobs', 'sha256', digest.slice(7)), 'utf8')) as unknown;
  const manifest = (await blob(manifestDigest)) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  const config = (await blob(manifest.config.digest)) as { rootfs: { diff_ids: string[] } };
  busybox = { manifestDigest, configDigest: manifest.config.digest, layers: manifest.layers, diffIds: config.rootfs.diff_ids };
}, 120_000);

afterEach(() => harness.cleanup());
afterAll(() => registries.cleanup());

function startDaemon(): Promise<DaemonProcess> {
  return harness.start({ args: ['--registry-mirror', mirror.url] });
}

function lines(res: HttpResponse): Message[] {
  return res.body
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Message;
      } catch {
        throw new Error(`every line of a progress stream must be one JSON message; got ${JSON.stringify(l)} — src/daemon/routes/images.ts`);
      }
    });
}

async function pull(daemon: DaemonProcess, fromImage: string, tag = 'latest'): Promise<HttpResponse> {
  const query = new URLSearchParams({ fromImage, tag });
  return httpRequest(daemon.socketPath, { method: 'POST', path: `/v1.41/images/create?${query}`, headers: NO_AUTH, timeoutMs: 60_000 });
}

/** docker's words for a repository that is not there (moby distribution/errors.go, notFoundError with ErrorCodeDenied). */
const pullAccessDenied = (name: string) => `pull access denied for ${name}, repository does not exist or may require 'docker login': `;

/** Pulls `fromImage:tag`, expecting a plain 404 JSON error before any progress line; returns its message. */
async function pullFailure(daemon: DaemonProcess, fromImage: string, tag: string): Promise<string> {
  const res = await pull(daemon, fromImage, tag);
  const where = 'src/daemon/images/image-service.ts pull (pullErrorFor), src/daemon/routes/images.ts createImage';
  expect(res.status, `pulling ${fromImage}:${tag} should be a 404 before any stream output; got ${res.status} ${res.body.slice(0, 300)} — ${where}`).toBe(404);
  expect(res.body.trim().split('\n'), `no progress lines before the error of ${fromImage}:${tag}: it is one JSON body`).toHaveLength(1);
  return String((JSON.parse(res.body) as { message?: unknown }).message);
}

async function pulled(daemon: DaemonProcess, fromImage: string): Promise<Message[]> {
  const res = await pull(daemon, fromImage);
  expect(res.status, `pulling ${fromImage} should answer 200; it said ${res.body.slice(0, 300)} — src/daemon/routes/images.ts createImage`).toBe(200);
  const messages = lines(res);
  const failure = messages.find((m) => m.error !== undefined || m.errorDetail !== undefined);
  expect(failure, `the pull of ${fromImage} should not end with an error line — src/daemon/images/image-service.ts pull`).toBeUndefined();
  return messages;
}

async function getJson<T>(daemon: DaemonProcess, target: string): Promise<{ status: number; body: T }> {
  const res = await httpRequest(daemon.socketPath, { path: target });
  let body: T;
  try {
    body = JSON.parse(res.body) as T;
  } catch {
    throw new Error(`GET ${target} should answer JSON; it said ${res.status} ${JSON.stringify(res.body.slice(0, 200))}`);
  }
  return { status: res.status, body };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const short = (digest: string) => digest.slice('sha256:'.length, 'sha256:'.length + 12);

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe('lesson 09 — daemon: images API', () => {
  it("POST /images/create pulls and streams docker's progress messages", async () => {
    const daemon = await startDaemon();
    const res = await pull(daemon, `${mirror.host}/x`);
    expect(res.status, `the pull should answer 200; it said ${res.body.slice(0, 300)} — src/daemon/routes/images.ts createImage`).toBe(200);
    expect(res.headers['content-type'], 'a progress stream is application/json').toMatch(/^application\/json/);
    const messages = lines(res);
    expect(messages[0], 'the first message should be {"status":"Pulling from x","id":"latest"} — src/daemon/routes/images.ts createImage').toMatchObject({
      status: 'Pulling from x',
      id: 'latest',
    });
    for (const layer of busybox.layers) {
      const statuses = messages.filter((m) => m.id === short(layer.digest)).map((m) => m.status);
      const order = ['Pulling fs layer', 'Download complete', 'Pull complete'].map((s) => statuses.indexOf(s));
      expect(order.every((i) => i >= 0), `layer ${short(layer.digest)} should get Pulling fs layer, Download complete and Pull complete; it got ${JSON.stringify(statuses)}`).toBe(true);
      expect([...order].sort((a, b) => a - b), 'per layer: Pulling fs layer, then Download complete, then Pull complete (after storing)').toEqual(order);
      const downloading = messages.find((m) => m.id === short(layer.digest) && m.status === 'Downloading');
      expect(downloading?.progressDetail?.total, 'a Downloading message carries progressDetail {current, total} — src/daemon/images/progress.ts').toBe(layer.size);
      expect(downloading?.progress, 'a Downloading message carries docker\'s bar, e.g. "[==>   ]  1.2MB/3.4MB"').toMatch(/^\[=*>\s*\]\s+\S+\/\S+$/);
    }
    const tail = messages.slice(-2).map((m) => m.status);
    expect(tail, 'the stream should end with Digest: <manifest digest> and the Status line').toEqual([
      `Digest: ${busybox.manifestDigest}`,
      `Status: Downloaded newer image for ${mirror.host}/x:latest`,
    ]);
    const stored = await filesUnder(daemon.dataRoot);
    for (const digest of [busybox.manifestDigest, busybox.configDigest, ...busybox.layers.map((l) => l.digest)]) {
      expect(stored, `blob ${digest} should be stored under the data root — src/daemon/images/image-service.ts (FsBlobStore in <dataRoot>/content)`).toContain(digest.slice(7));
    }
  });

  it('docker.io names go to the registry mirror', async () => {
    const daemon = await startDaemon();
    const first = await pulled(daemon, 'docker.io/library/busybox');
    expect(first.at(-1)?.status, 'docker.io/library/busybox comes from the --registry-mirror — src/daemon/images/image-service.ts registriesFor').toBe(
      'Status: Downloaded newer image for busybox:latest',
    );
    expect(first[0]?.status, 'the mirror holds the Docker Hub path: Pulling from library/busybox').toBe('Pulling from library/busybox');
    const again = await pulled(daemon, 'docker.io/library/busybox');
    expect(again.at(-1)?.status, 'a second pull of the same manifest is "Image is up to date for busybox:latest"').toBe(
      'Status: Image is up to date for busybox:latest',
    );
  });

  it('a missing repository is a 404 "pull access denied for …", a missing tag a 404 "manifest for … not found", before any stream', async () => {
    const daemon = await startDaemon();
    const where = 'src/daemon/images/image-service.ts pull: turn each failure into docker\'s error with pullErrorFor';
    expect(
      await pullFailure(daemon, `${mirror.host}/nosuch`, 'latest'),
      `a repository the registry does not know is "${pullAccessDenied(`${mirror.host}/nosuch`)}<cause>", named familiarly, without its tag — ${where}`,
    ).toMatch(new RegExp(`^${escapeRegExp(pullAccessDenied(`${mirror.host}/nosuch`))}name unknown: `));
    expect(
      await pullFailure(daemon, 'docker.io/library/busybox2', 'latest'),
      `docker.io/library/busybox2 (from the mirror) is "${pullAccessDenied('busybox2')}…", as Docker Hub users see it — ${where}`,
    ).toMatch(new RegExp(`^${escapeRegExp(pullAccessDenied('busybox2'))}`));
    expect(
      await pullFailure(daemon, 'docker.io/library/busybox', 'nope'),
      `a repository without the tag is "manifest for busybox:nope not found: manifest unknown: <the registry's message>" (the familiar name with its tag) — ${where}`,
    ).toMatch(/^manifest for busybox:nope not found: manifest unknown: ./);
    expect(
      await pullFailure(daemon, `${mirror.host}/x`, 'nope'),
      `the same for a registry named in the reference: "manifest for ${mirror.host}/x:nope not found: …" — ${where}`,
    ).toMatch(new RegExp(`^manifest for ${escapeRegExp(mirror.host)}/x:nope not found: manifest unknown: .`));
  });

  const distribution = prerequisite('docker-registry', 'apt-get install docker-registry');
  it.skipIf(distribution.skip)("Debian's docker-registry says MANIFEST_UNKNOWN for a missing repository too: its tag list tells the two apart", async () => {
    const registry = await startDistribution(requireTool(distribution), harness.scope);
    await pushLayoutToDistribution(registry.host, 'x', 'latest', busyboxLayout);
    const daemon = await startDaemon();
    const where = 'src/daemon/images/image-service.ts pull (pullErrorFor asks GET /v2/<name>/tags/list after a MANIFEST_UNKNOWN)';
    expect(
      await pullFailure(daemon, `${registry.host}/nosuch`, 'latest'),
      `distribution answers GET /v2/nosuch/manifests/latest with MANIFEST_UNKNOWN, and its tag list with NAME_UNKNOWN: the repository does not exist — ${where}`,
    ).toBe(`${pullAccessDenied(`${registry.host}/nosuch`)}name unknown: repository name not known to registry`);
    expect(
      await pullFailure(daemon, `${registry.host}/x`, 'nope'),
      `x has tags, so a MANIFEST_UNKNOWN for x:nope is a missing tag, worded as dockerd words it — ${where}`,
    ).toBe(`manifest for ${registry.host}/x:nope not found: manifest unknown: manifest unknown`);
  });

  it('GET /images/json lists the image with Id, RepoTags, RepoDigests, Created, Size; /info counts it', async () => {
    const daemon = await startDaemon();
    await pulled(daemon, 'docker.io/library/busybox');
    const { status, body } = await getJson<Record<string, unknown>[]>(daemon, '/v1.41/images/json');
    expect(status, 'GET /images/json answers 200 — src/daemon/routes/images.ts listImages').toBe(200);
    expect(body, 'one image after one pull').toHaveLength(1);
    const size = busybox.layers.reduce((sum, l) => sum + l.size, 0);
    expect(body[0], 'Id is the config digest; RepoTags and RepoDigests in familiar form; Created in unix seconds; Size the layers\' sizes — src/daemon/images/image-service.ts list').toMatchObject({
      Id: busybox.configDigest,
      RepoTags: ['busybox:latest'],
      RepoDigests: [`busybox@${busybox.manifestDigest}`],
      Created: Math.floor(Date.parse(BASE_IMAGE_CREATED) / 1000),
      Size: size,
      Containers: -1,
    });
    const info = await getJson<Record<string, unknown>>(daemon, '/v1.41/info');
    expect(info.body.Images, '/info counts the image IDs (docker info\'s "Images: 1") — src/daemon/routes/images.ts imageInfo, from src/daemon/images/image-service.ts list').toBe(1);
  });

  it('GET /images/{name}/json answers for busybox, busybox:latest, docker.io/library/busybox:latest and an id prefix; 404 otherwise', async () => {
    const daemon = await startDaemon();
    await pulled(daemon, 'docker.io/library/busybox');
    const hex = busybox.configDigest.slice(7);
    for (const name of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', hex.slice(0, 12), `sha256:${hex.slice(0, 12)}`, busybox.configDigest]) {
      const { status, body } = await getJson<Record<string, unknown>>(daemon, `/v1.41/images/${name}/json`);
      expect(status, `GET /images/${name}/json should find busybox — src/daemon/images/image-service.ts resolve`).toBe(200);
      expect(body.Id, `inspect ${name}: Id is the config digest`).toBe(busybox.configDigest);
    }
    const { body } = await getJson<Record<string, unknown>>(daemon, '/images/busybox/json');
    expect(body, 'inspect carries RepoTags, RepoDigests, Created (RFC 3339), Os, Architecture, RootFS layers — src/daemon/images/image-service.ts inspect').toMatchObject({
      RepoTags: ['busybox:latest'],
      RepoDigests: [`busybox@${busybox.manifestDigest}`],
      Created: BASE_IMAGE_CREATED,
      Os: 'linux',
      RootFS: { Type: 'layers', Layers: busybox.diffIds },
    });
    expect(typeof body.Config, 'inspect has a Config object').toBe('object');
    for (const name of ['nosuch', 'busybox:other', 'ffffffffffff']) {
      const res = await httpRequest(daemon.socketPath, { path: `/v1.41/images/${name}/json` });
      expect(res.status, `GET /images/${name}/json should be a 404 (testcontainers pulls on it)`).toBe(404);
      expect((JSON.parse(res.body) as { message?: string }).message, 'the 404 carries {"message": "No such image: …"}').toMatch(/no such image/i);
    }
  });

  it('names with / and : arrive unescaped (/images/127.0.0.1:PORT/x/json)', async () => {
    const daemon = await startDaemon();
    await pulled(daemon, `${mirror.host}/x`);
    for (const name of [`${mirror.host}/x`, `${mirror.host}/x:latest`]) {
      const { status, body } = await getJson<{ RepoTags?: string[] }>(daemon, `/v1.41/images/${name}/json`);
      expect(status, `GET /images/${name}/json must route with a greedy pattern such as ^/images/(.+)/json$ — src/daemon/routes/images.ts`).toBe(200);
      expect(body.RepoTags, 'a name with a registry keeps it: 127.0.0.1:PORT/x:latest').toEqual([`${mirror.host}/x:latest`]);
    }
  });

  it('tag adds a name; DELETE untags and deletes', async () => {
    const daemon = await startDaemon();
    await pulled(daemon, 'docker.io/library/busybox');
    const tagged = await httpRequest(daemon.socketPath, {
      method: 'POST',
      path: `/v1.41/images/busybox:latest/tag?${new URLSearchParams({ repo: `${mirror.host}/t`, tag: 'v1' })}`,
    });
    expect(tagged.status, `POST /images/busybox:latest/tag should answer 201; it said ${tagged.body} — src/daemon/routes/images.ts tagImage`).toBe(201);
    const list = await getJson<{ RepoTags: string[] }[]>(daemon, '/images/json');
    expect(list.body, 'a tag is a second name of the same image: one entry, two RepoTags').toHaveLength(1);
    expect(list.body[0]?.RepoTags, 'RepoTags lists both names').toEqual(expect.arrayContaining(['busybox:latest', `${mirror.host}/t:v1`]));

    const untag = await httpRequest(daemon.socketPath, { method: 'DELETE', path: `/v1.41/images/${mirror.host}/t:v1` });
    expect(untag.status, `DELETE /images/${mirror.host}/t:v1 should answer 200 — src/daemon/routes/images.ts deleteImage`).toBe(200);
    const untagged = JSON.parse(untag.body) as { Untagged?: string; Deleted?: string }[];
    expect(untagged, 'removing one of two names only untags it').toContainEqual({ Untagged: `${mirror.host}/t:v1` });
    expect(untagged.some((e) => e.Deleted !== undefined), 'nothing is deleted while busybox:latest still names the image').toBe(false);
    expect((await httpRequest(daemon.socketPath, { path: `/images/${mirror.host}/t:v1/json` })).status, 'the removed name is gone').toBe(404);

    const remove = await httpRequest(daemon.socketPath, { method: 'DELETE', path: '/v1.41/images/busybox' });
    expect(remove.status, 'DELETE /images/busybox answers 200').toBe(200);
    const removed = JSON.parse(remove.body) as { Untagged?: string; Deleted?: string }[];
    expect(removed, 'the last name goes: Untagged busybox:latest').toContainEqual({ Untagged: 'busybox:latest' });
    expect(removed, 'and the image with it: Deleted <image id> — src/daemon/images/image-service.ts remove').toContainEqual({ Deleted: busybox.configDigest });
    expect((await getJson<unknown[]>(daemon, '/images/json')).body, 'no images are left').toEqual([]);
    const stored = await filesUnder(daemon.dataRoot);
    expect(stored, 'the deleted image\'s layer blob is removed from the content store').not.toContain(busybox.layers[0]!.digest.slice(7));
    expect((await httpRequest(daemon.socketPath, { method: 'DELETE', path: '/images/nosuch' })).status, 'deleting an unknown image is a 404').toBe(404);
  });

  it('push sends the image to a registry and streams progress; the registry then has the manifest', async () => {
    const target = await registries.startReference();
    const daemon = await startDaemon();
    await pulled(daemon, 'docker.io/library/busybox');
    const tagged = await httpRequest(daemon.socketPath, {
      method: 'POST',
      path: `/images/busybox/tag?${new URLSearchParams({ repo: `${target.host}/pushed`, tag: 'v2' })}`,
    });
    expect(tagged.status, 'tagging for the target registry answers 201').toBe(201);
    const res = await httpRequest(daemon.socketPath, {
      method: 'POST',
      path: `/v1.41/images/${target.host}/pushed/push?tag=v2`,
      headers: NO_AUTH,
      timeoutMs: 60_000,
    });
    expect(res.status, `the push should answer 200; it said ${res.body.slice(0, 300)} — src/daemon/routes/images.ts pushImage`).toBe(200);
    const messages = lines(res);
    expect(messages.find((m) => m.error !== undefined), `the push stream should carry no error line — src/daemon/images/image-service.ts push`).toBeUndefined();
    expect(messages[0]?.status, 'the first message names the repository like docker').toBe(`The push refers to repository [${target.host}/pushed]`);
    for (const layer of busybox.layers) {
      const statuses = messages.filter((m) => m.id === short(layer.digest)).map((m) => m.status);
      expect(statuses[0], `layer ${short(layer.digest)} starts with Preparing`).toBe('Preparing');
      expect(statuses.at(-1), `layer ${short(layer.digest)} ends Pushed (it was new to this registry); got ${JSON.stringify(statuses)}`).toBe('Pushed');
      const pushing = messages.find((m) => m.id === short(layer.digest) && m.status === 'Pushing');
      expect(pushing?.progress, 'Pushing messages carry docker\'s progress bar').toMatch(/^\[=*>\s*\]/);
    }
    const summary = messages.find((m) => m.status?.startsWith('v2: digest: '));
    expect(summary?.status, 'the stream reports "v2: digest: sha256:… size: N"').toMatch(/^v2: digest: sha256:[0-9a-f]{64} size: \d+$/);
    const aux = messages.at(-1)?.aux;
    expect(aux, 'the last message is the aux {Tag, Digest, Size} the docker CLI reads').toMatchObject({ Tag: 'v2' });
    const manifest = await fetch(`${target.url}/v2/pushed/manifests/v2`, {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status, 'after the push the registry serves the manifest under the tag').toBe(200);
    expect(manifest.headers.get('docker-content-digest'), 'the registry\'s digest is the one the stream reported').toBe(aux?.Digest);
    expect(aux?.Digest, 'pushing a pulled image unchanged keeps its manifest digest').toBe(busybox.manifestDigest);

    const missing = await httpRequest(daemon.socketPath, { method: 'POST', path: `/images/${target.host}/nosuch/push?tag=latest`, headers: NO_AUTH });
    expect(missing.status, 'pushing an image that does not exist locally is a 404 before any stream').toBe(404);
  });

  it('minidocker pull/tag/push print per-layer progress', async () => {
    const target = await registries.startReference();
    const daemon = await startDaemon();
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [path.join(repoRoot, 'bin', 'minidocker.js'), '-H', `unix://${daemon.socketPath}`, ...args], { cwd: repoRoot, timeout: 60_000 }, (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
        );
      });
    const layer = short(busybox.layers[0]!.digest);
    const pullRun = await cli(['pull', `${mirror.host}/x`]);
    expect(pullRun.code, `minidocker pull should exit 0; stderr: ${pullRun.stderr}`).toBe(0);
    expect(pullRun.stdout, 'minidocker pull prints "<layer>: Pull complete"').toContain(`${layer}: Pull complete`);

    const tagRun = await cli(['tag', `${mirror.host}/x`, `${target.host}/cli:v1`]);
    expect(tagRun.code, `minidocker tag should exit 0 — src/cli/commands/push-tag.ts tag; stderr: ${tagRun.stderr}`).toBe(0);
    const pushRun = await cli(['push', `${target.host}/cli:v1`]);
    expect(pushRun.code, `minidocker push should exit 0 — src/cli/commands/push-tag.ts push; stderr: ${pushRun.stderr}`).toBe(0);
    expect(pushRun.stdout, 'push prints the repository line').toContain(`The push refers to repository [${target.host}/cli]`);
    expect(pushRun.stdout, 'push prints "<layer>: Preparing" and "<layer>: Pushed" (no terminal: each status once)').toContain(`${layer}: Pushed`);
    expect(pushRun.stdout, 'push prints "v1: digest: sha256:… size: N"').toMatch(/^v1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    expect(pushRun.stdout.split('\n').filter((l) => l === `${layer}: Pushing`), 'without a terminal, bar-only Pushing updates are not printed').toHaveLength(0);
  });

  const docker = prerequisite('docker', 'install the docker CLI: https://docs.docker.com/engine/install/');
  it.skipIf(docker.skip)('the real docker CLI pulls, lists, tags, pushes and removes images through the daemon', async () => {
    const bin = requireTool(docker);
    const target = await registries.startReference();
    const daemon = await startDaemon();
    const { run } = dockerCli(bin, daemon.socketPath, await harness.tempDir());
    const pullRun = await run(['pull', 'busybox']);
    expect(pullRun.code, `docker pull busybox should exit 0 (through the mirror); it said:\n${pullRun.stderr}`).toBe(0);
    expect(pullRun.stdout, 'docker pull prints the Status line from the stream').toContain('Status: Downloaded newer image for busybox:latest');
    const images = await run(['images']);
    expect(images.code, `docker images should exit 0; it said:\n${images.stderr}`).toBe(0);
    expect(images.stdout, 'docker images lists busybox latest with its short id').toMatch(new RegExp(`^busybox\\s+latest\\s+${busybox.configDigest.slice(7, 19)}`, 'm'));
    const tagRun = await run(['tag', 'busybox', `${target.host}/y`]);
    expect(tagRun.code, `docker tag should exit 0; it said:\n${tagRun.stderr}`).toBe(0);
    const pushRun = await run(['push', `${target.host}/y`]);
    expect(pushRun.code, `docker push should exit 0; it said:\n${pushRun.stderr}`).toBe(0);
    expect(pushRun.stdout, 'docker push prints the digest line').toMatch(/latest: digest: sha256:[0-9a-f]{64} size: \d+/);
    const rmi = await run(['rmi', `${target.host}/y`]);
    expect(rmi.code, `docker rmi should exit 0; it said:\n${rmi.stderr}`).toBe(0);
    expect(rmi.stdout, 'docker rmi prints Untagged: <name>').toContain(`Untagged: ${target.host}/y:latest`);
    const after = await run(['images']);
    expect(after.stdout, 'after rmi the pushed name is gone but busybox stays').not.toContain(`${target.host}/y`);
    expect(after.stdout).toMatch(/^busybox\s+latest/m);
  });

  it.skipIf(docker.skip)('docker pull of a missing repository or tag prints the daemon\'s error in docker\'s words', async () => {
    const bin = requireTool(docker);
    const daemon = await startDaemon();
    const { run } = dockerCli(bin, daemon.socketPath, await harness.tempDir());
    const where = 'src/daemon/images/image-service.ts pull (pullErrorFor)';
    const missing = await run(['pull', 'busybox2']);
    expect(missing.code, `docker pull busybox2 should fail with exit code 1; it said:\n${missing.stdout}${missing.stderr}`).toBe(1);
    expect(missing.stderr, `docker pull busybox2 prints "Error response from daemon: ${pullAccessDenied('busybox2')}…" — ${where}`).toContain(
      `Error response from daemon: ${pullAccessDenied('busybox2')}`,
    );
    const noTag = await run(['pull', 'busybox:nope']);
    expect(noTag.code, `docker pull busybox:nope should fail with exit code 1; it said:\n${noTag.stdout}${noTag.stderr}`).toBe(1);
    expect(noTag.stderr, `docker pull busybox:nope prints "Error response from daemon: manifest for busybox:nope not found: manifest unknown: …" — ${where}`).toContain(
      'Error response from daemon: manifest for busybox:nope not found: manifest unknown: ',
    );
  });
});
