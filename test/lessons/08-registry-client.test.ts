/**
 * Lesson 08 — registry: client. Pull and push against a fault-injecting
 * in-memory registry (test/support/fault-registry.ts) that records every
 * request, and, for interop, against Debian's docker-registry (distribution 2.8).
 * The images are the offline busybox and hello-world (fixtures/base-images.ts).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FsBlobStore } from '#kata/image/blob-store.js';
import type { Digest } from '#kata/image/digest.js';
import { DigestMismatchError, SizeMismatchError } from '#kata/image/errors.js';
import { OCI_INDEX, OCI_MANIFEST } from '#kata/image/media-types.js';
import type { Descriptor, Manifest } from '#kata/image/types.js';
import { decodeRegistryAuth } from '#kata/registry-client/auth.js';
import { RegistryClient } from '#kata/registry-client/client.js';
import type { RegistryClientOptions } from '#kata/registry-client/client.js';
import { NoMatchingPlatformError, RegistryResponseError } from '#kata/registry-client/errors.js';
import { registryUrl } from '#kata/registry-client/http.js';
import type { ProgressEvent } from '#kata/registry-client/progress.js';
import { buildBaseImages } from '../../fixtures/base-images.js';
import type { BaseImages } from '../../fixtures/base-images.js';
import { startDistribution } from '../support/distribution.js';
import type { Distribution } from '../support/distribution.js';
import { FaultRegistry } from '../support/fault-registry.js';
import type { FaultAuth } from '../support/fault-registry.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { RegistryHarness } from '../support/registry-harness.js';
import { TestScope } from '../support/scope.js';
import { describeError, failureOf } from '../support/outcomes.js';

const HTTP = 'src/registry-client/http.ts';
const AUTH = 'src/registry-client/auth.ts';
const PULL = 'src/registry-client/pull.ts';
const PUSH = 'src/registry-client/push.ts';
const PLATFORM = 'src/registry-client/platform.ts';

const distribution = prerequisite('docker-registry', 'apt-get install docker-registry');

/** The busybox image's parts, read from its layout. */
interface Image {
  layoutDir: string;
  manifest: Descriptor;
  parsed: Manifest;
  config: Descriptor;
  layer: Descriptor;
}

let baseDir = '';
let images: BaseImages;
let busybox: Image;
let hello: Image;

async function readImage(layoutDir: string, digest: Digest): Promise<Image> {
  const bytes = await fs.readFile(path.join(layoutDir, 'blobs', 'sha256', digest.slice(7)));
  const parsed = JSON.parse(bytes.toString('utf8')) as Manifest;
  const layer = parsed.layers[0];
  if (layer === undefined) throw new Error('a base image without a layer');
  return { layoutDir, manifest: { mediaType: OCI_MANIFEST, digest, size: bytes.length }, parsed, config: parsed.config, layer };
}

const fileScope = new TestScope();
beforeAll(async () => {
  baseDir = await fileScope.tempDir('dockerlings-08-images-');
  images = await buildBaseImages(baseDir);
  busybox = await readImage(images.busybox.layoutDir, images.busybox.manifestDigest);
  hello = await readImage(images['hello-world'].layoutDir, images['hello-world'].manifestDigest);
});

afterAll(() => fileScope.cleanup());

const scope = new TestScope();
afterEach(() => scope.cleanup());

const harness = new RegistryHarness();
afterEach(() => harness.cleanup());

function tempDir(): Promise<string> {
  return scope.tempDir('dockerlings-08-');
}

/** A fault registry serving busybox as library/busybox:latest. */
async function registryWithBusybox(auth?: FaultAuth): Promise<FaultRegistry> {
  const registry = await FaultRegistry.start(auth === undefined ? { scope } : { auth, scope });
  await registry.addLayout(busybox.layoutDir, 'latest', 'library/busybox', 'latest');
  return registry;
}

async function emptyRegistry(): Promise<FaultRegistry> {
  const registry = await FaultRegistry.start({ scope });
  return registry;
}

/** A client with quick retries, so that a retried request does not slow the checks down. */
function client(host: string, options: Partial<RegistryClientOptions> = {}): RegistryClient {
  return new RegistryClient({ registry: host, retry: { backoffMs: 5 }, ...options });
}

async function store(): Promise<FsBlobStore> {
  return new FsBlobStore(path.join(await tempDir(), 'content'));
}

/** The busybox layout as a blob store: a layout's blobs/sha256/ is a content store. */
const layoutStore = (image: Image) => new FsBlobStore(image.layoutDir);

const short = (digest: Digest) => digest.slice(7, 19);

async function ingestLeftovers(blobs: FsBlobStore): Promise<string[]> {
  return fs.readdir(path.join(blobs.root, 'ingest')).catch(() => []);
}

describe('lesson 08 — registry: client', () => {
  it('talks plain HTTP to loopback registries and HTTPS to others', () => {
    const cases: Array<[registry: string, insecure: boolean, url: string]> = [
      ['127.0.0.1:5000', false, 'http://127.0.0.1:5000'],
      ['localhost:5000', false, 'http://localhost:5000'],
      ['[::1]:5000', false, 'http://[::1]:5000'],
      ['registry.example.com', false, 'https://registry.example.com'],
      ['registry.example.com:5000', false, 'https://registry.example.com:5000'],
      ['127.example.com', false, 'https://127.example.com'],
      ['registry.example.com:5000', true, 'http://registry.example.com:5000'],
    ];
    for (const [registry, insecure, url] of cases) {
      expect(registryUrl(registry, insecure), `registryUrl(${JSON.stringify(registry)}, ${insecure}): loopback (and insecure) registries speak plain HTTP, the rest HTTPS (${HTTP})`).toBe(url);
    }
  });

  it('pull resolves a tag and stores config and layers under their digests', async () => {
    const registry = await registryWithBusybox();
    const blobs = await store();
    const result = await client(registry.host).pull('library/busybox', 'latest', blobs);
    expect(result.descriptor, `pull returns the manifest's descriptor: mediaType, digest and size of the bytes the tag resolved to (${PULL}: pull)`).toMatchObject(busybox.manifest);
    expect(result.config.digest, `result.config is the manifest's config descriptor (${PULL})`).toBe(busybox.config.digest);
    expect(result.layers.map((l) => l.digest), `result.layers are the manifest's layers (${PULL})`).toEqual([busybox.layer.digest]);
    const get = registry.requestsTo('GET', '/v2/library/busybox/manifests/latest')[0];
    expect(String(get?.headers.accept ?? ''), `GET /v2/<name>/manifests/<tag> lists the manifest types it reads in Accept; a registry serves an OCI manifest only to a client that asks for it (${PULL}: MANIFEST_ACCEPT)`).toContain(OCI_MANIFEST);
    const stored = await blobs.list();
    for (const [what, digest] of [['the config', busybox.config.digest], ['the layer', busybox.layer.digest], ['the manifest', busybox.manifest.digest]] as const) {
      expect(stored, `${what} ${digest} is in the store after a pull (${PULL}: fetchBlob, pull)`).toContain(digest);
    }
    const layerBytes = await fs.readFile(blobs.blobPath(busybox.layer.digest));
    expect(layerBytes.length, `the stored layer has the size its descriptor says (${PULL}: fetchBlob)`).toBe(busybox.layer.size);

    const byDigest = await store();
    const pinned = await client(registry.host).pull('library/busybox', busybox.manifest.digest, byDigest);
    expect(pinned.descriptor.digest, `pull also takes a digest as the reference: GET /v2/<name>/manifests/sha256:… (${PULL}: pull)`).toBe(busybox.manifest.digest);
    expect(await byDigest.list(), `a pull by digest stores the same blobs (${PULL})`).toEqual([...stored].sort());
  });

  it('pull picks linux/amd64 from an index', async () => {
    const registry = await emptyRegistry();
    await registry.addLayout(busybox.layoutDir, 'latest', 'library/multi', 'busybox');
    await registry.addLayout(hello.layoutDir, 'latest', 'library/multi', 'hello');
    const entry = (image: Image, platform: Descriptor['platform']) => ({ ...image.manifest, platform });
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        entry(hello, { os: 'linux', architecture: 'arm64', variant: 'v8' }),
        entry(hello, { os: 'linux', architecture: 'arm', variant: 'v7' }),
        entry(busybox, { os: 'linux', architecture: 'amd64' }),
        { ...hello.manifest, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      ],
    });
    const indexDescriptor = registry.addManifest('library/multi', 'latest', OCI_INDEX, index);

    const blobs = await store();
    const amd64 = await client(registry.host).pull('library/multi', 'latest', blobs, { platform: { os: 'linux', architecture: 'amd64' } });
    expect(amd64.descriptor.digest, `from an index, pull takes the manifest whose platform is linux/amd64 (the third entry here), not the first one (${PLATFORM}: selectManifest)`).toBe(busybox.manifest.digest);
    expect(amd64.index?.digest, `result.index is the index's descriptor (${PULL}: pull)`).toBe(indexDescriptor.digest);
    expect(await blobs.list(), `the index blob is stored too, after the image's blobs (${PULL}: pull)`).toContain(indexDescriptor.digest);
    expect(await blobs.list(), `the picked manifest is stored (${PULL}: pull)`).toContain(busybox.manifest.digest);

    const arm64 = await client(registry.host).pull('library/multi', 'latest', await store(), { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm64.descriptor.digest, `the platform option picks another entry: linux/arm64 matches linux/arm64/v8 (${PLATFORM}: selectManifest, platformMatches)`).toBe(hello.manifest.digest);

    const host = ({ x64: busybox, arm64: hello } as Record<string, Image | undefined>)[process.arch];
    if (host !== undefined) {
      const byDefault = await client(registry.host).pull('library/multi', 'latest', await store());
      expect(byDefault.descriptor.digest, `without a platform option, pull picks this machine's platform (${PLATFORM}: hostPlatform)`).toBe(host.manifest.digest);
    }
    const missing = await failureOf(client(registry.host).pull('library/multi', 'latest', await store(), { platform: { os: 'linux', architecture: 's390x' } }));
    expect(missing, `no entry for linux/s390x: pull rejects with NoMatchingPlatformError; got ${describeError(missing)} (${PLATFORM}: selectManifest)`).toBeInstanceOf(NoMatchingPlatformError);
  });

  it('pull verifies every digest: a tampered blob is refused and nothing is stored', async () => {
    const registry = await registryWithBusybox();
    registry.inject({ kind: 'tamper', target: busybox.layer.digest });
    const blobs = await store();
    const err = await failureOf(client(registry.host).pull('library/busybox', 'latest', blobs));
    expect(err, `a layer whose bytes do not hash to its digest: pull rejects with the store's DigestMismatchError; got ${describeError(err)} (${PULL}: fetchBlob passes {digest, size} to store.put)`).toBeInstanceOf(DigestMismatchError);
    const stored = await blobs.list();
    expect(stored, `the tampered layer is not in the store (${PULL})`).not.toContain(busybox.layer.digest);
    expect(stored, `the manifest is stored last, only once all its blobs are: after a failed pull it is not in the store (${PULL}: pull)`).not.toContain(busybox.manifest.digest);
    expect(await ingestLeftovers(blobs), `no partial download is left in the store's ingest/ (${PULL})`).toEqual([]);

    const byDigest = await registryWithBusybox();
    byDigest.inject({ kind: 'tamper', target: busybox.manifest.digest });
    const pinned = await failureOf(client(byDigest.host).pull('library/busybox', busybox.manifest.digest, await store()));
    expect(pinned, `pull by digest: a manifest whose bytes do not hash to the digest asked for is refused with DigestMismatchError before it is parsed; got ${describeError(pinned)} (${PULL}: fetchManifest)`).toBeInstanceOf(DigestMismatchError);

    const byTag = await registryWithBusybox();
    byTag.inject({ kind: 'tamper', target: 'latest' });
    const tagged = await failureOf(client(byTag.host).pull('library/busybox', 'latest', await store()));
    expect(tagged, `pull by tag: the manifest's bytes must hash to the Docker-Content-Digest header the registry sent; got ${describeError(tagged)} (${PULL}: fetchManifest)`).toBeInstanceOf(DigestMismatchError);
  });

  it('a truncated body is refused', async () => {
    const registry = await registryWithBusybox();
    registry.inject({ kind: 'truncate', target: busybox.layer.digest });
    const blobs = await store();
    const err = await failureOf(client(registry.host).pull('library/busybox', 'latest', blobs));
    expect(err, `a layer body cut off halfway (Content-Length promised more, then the connection closed): pull rejects with SizeMismatchError; got ${describeError(err)} (${PULL}: fetchBlob turns a broken body into SizeMismatchError(size, bytes received))`).toBeInstanceOf(SizeMismatchError);
    const mismatch = err as SizeMismatchError;
    expect(mismatch.expected, `SizeMismatchError.expected is the layer's size (${PULL}: fetchBlob)`).toBe(busybox.layer.size);
    expect(mismatch.actual, `SizeMismatchError.actual is the bytes received, fewer than the size (${PULL}: fetchBlob)`).toBeLessThan(busybox.layer.size);
    expect(await blobs.list(), `the truncated layer is not in the store (${PULL})`).not.toContain(busybox.layer.digest);
    expect(await ingestLeftovers(blobs), `no partial download is left in ingest/ (${PULL})`).toEqual([]);
  });

  it('a 500 is retried and then succeeds', async () => {
    const registry = await registryWithBusybox();
    registry.inject({ kind: 'status', status: 500, target: 'latest', times: 1 });
    registry.inject({ kind: 'status', status: 503, target: busybox.layer.digest, times: 1 });
    registry.inject({ kind: 'truncate', target: busybox.config.digest, times: 1 });
    const blobs = await store();
    const result = await failureOf(client(registry.host).pull('library/busybox', 'latest', blobs));
    expect(result, `a 500 on the manifest, a 503 on the layer and a truncated config, each once: pull sends each request again and succeeds; got ${describeError(result)} (${HTTP}: RegistryHttp.request retries 5xx; ${PULL}: fetchBlob retries a short body)`).toBeUndefined();
    expect(registry.requestsTo('GET', '/manifests/latest').length, `the manifest was asked for twice: the 500, then the retry (${HTTP})`).toBe(2);
    expect(registry.requestsTo('GET', `/blobs/${busybox.layer.digest}`).length, `the layer was asked for twice: the 503, then the retry (${HTTP})`).toBe(2);
    expect(registry.requestsTo('GET', `/blobs/${busybox.config.digest}`).length, `the config was asked for twice: the truncated body, then the retry (${PULL}: fetchBlob)`).toBe(2);
    expect(await blobs.list(), `after the retries every blob is stored (${PULL})`).toEqual(expect.arrayContaining([busybox.layer.digest, busybox.config.digest, busybox.manifest.digest]));

    const broken = await registryWithBusybox();
    broken.inject({ kind: 'status', status: 500, target: busybox.layer.digest });
    const err = await failureOf(client(broken.host).pull('library/busybox', 'latest', await store()));
    expect(err, `a layer that always answers 500: pull gives up with a RegistryResponseError; got ${describeError(err)} (${HTTP})`).toBeInstanceOf(RegistryResponseError);
    expect((err as RegistryResponseError).status, `the RegistryResponseError carries the last status (${HTTP})`).toBe(500);
    const tries = broken.requestsTo('GET', `/blobs/${busybox.layer.digest}`).length;
    expect(tries >= 2 && tries <= 5, `retries are bounded: ${tries} attempts, expected a few (3 by default) (${HTTP}: RetryOptions.attempts)`).toBe(true);
  });

  it('pull skips blobs already in the store', async () => {
    const registry = await registryWithBusybox();
    const blobs = await store();
    await blobs.put(Readable.from([await fs.readFile(path.join(busybox.layoutDir, 'blobs', 'sha256', busybox.layer.digest.slice(7)))]));
    const events: ProgressEvent[] = [];
    await client(registry.host).pull('library/busybox', 'latest', blobs, { onProgress: (e) => events.push(e) });
    expect(registry.requestsTo('GET', `/blobs/${busybox.layer.digest}`), `the layer was in the store: pull must not download it again (${PULL}: fetchBlob stats the store first)`).toEqual([]);
    expect(registry.requestsTo('GET', `/blobs/${busybox.config.digest}`).length, `the config was missing and is fetched (${PULL})`).toBe(1);
    expect(events, `the layer's progress says 'Already exists', as docker's does (${PULL}: pull)`).toContainEqual(expect.objectContaining({ id: short(busybox.layer.digest), status: 'Already exists' }));

    const before = registry.requests.length;
    await client(registry.host).pull('library/busybox', 'latest', blobs);
    const again = registry.requests.slice(before).filter((r) => r.path.includes('/blobs/'));
    expect(again.map((r) => `${r.method} ${r.path}`), `a second pull of the same image downloads no blob at all (${PULL})`).toEqual([]);
  });

  it('push uploads blobs first and the manifest last', async () => {
    const registry = await emptyRegistry();
    const pushed = await client(registry.host).push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest);
    expect(pushed.digest, `push returns the pushed manifest's descriptor; its digest is the manifest's (${PUSH}: push)`).toBe(busybox.manifest.digest);
    const requests = registry.requests.map((r) => `${r.method} ${r.path}${r.query.size > 0 ? `?${r.query.toString()}` : ''}`);
    const manifestPut = registry.requests.findIndex((r) => r.method === 'PUT' && r.path === '/v2/dockerlings/busybox/manifests/v1');
    expect(manifestPut, `push ends with PUT /v2/<name>/manifests/<tag>; requests were:\n${requests.join('\n')} (${PUSH}: push)`).toBe(registry.requests.length - 1);
    expect(registry.requests[manifestPut]?.status, `the registry accepted the manifest (201): it refuses one whose blobs are not there yet (${PUSH})`).toBe(201);
    expect(registry.requests[manifestPut]?.headers['content-type'], `the manifest is sent with its media type as Content-Type (${PUSH}: push)`).toBe(OCI_MANIFEST);
    for (const blob of [busybox.config, busybox.layer]) {
      expect(registry.blobs.get(blob.digest)?.length, `the registry holds ${blob.digest} with ${blob.size} bytes (${PUSH}: pushBlob)`).toBe(blob.size);
      const committed = registry.requests.findIndex((r) => (r.method === 'PUT' || r.method === 'POST') && r.query.get('digest') === blob.digest && r.status === 201);
      expect(committed >= 0 && committed < manifestPut, `${blob.digest} was uploaded (PUT …?digest=) before the manifest; requests were:\n${requests.join('\n')} (${PUSH})`).toBe(true);
    }
    const stored = registry.manifests.get('dockerlings/busybox:v1');
    expect(stored?.bytes.equals(await fs.readFile(path.join(busybox.layoutDir, 'blobs', 'sha256', busybox.manifest.digest.slice(7)))), `the manifest's bytes are pushed unchanged: re-serialising the JSON would change its digest (${PUSH})`).toBe(true);
  });

  it('push skips blobs the registry has (HEAD)', async () => {
    const registry = await emptyRegistry();
    registry.addBlob(await fs.readFile(path.join(busybox.layoutDir, 'blobs', 'sha256', busybox.layer.digest.slice(7))));
    const events: ProgressEvent[] = [];
    await client(registry.host).push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest, { onProgress: (e) => events.push(e) });
    expect(registry.requestsTo('HEAD', `/blobs/${busybox.layer.digest}`).length, `push asks HEAD /v2/<name>/blobs/<digest> before uploading (${PUSH}: pushBlob)`).toBe(1);
    const uploads = registry.requests.filter((r) => r.query.get('digest') === busybox.layer.digest || r.method === 'PATCH');
    const posts = registry.requestsTo('POST', '/blobs/uploads/').length;
    expect(uploads.map((r) => `${r.method} ${r.path}`), `the registry answered HEAD 200 for the layer: it is not uploaded (${PUSH}: pushBlob)`).toEqual([]);
    expect(posts, `only the config (missing) starts an upload session (${PUSH})`).toBe(1);
    expect(events, `the layer's progress says 'Layer already exists', as docker's does (${PUSH}: push)`).toContainEqual(expect.objectContaining({ id: short(busybox.layer.digest), status: 'Layer already exists' }));

    const before = registry.requests.length;
    await client(registry.host).push('dockerlings/busybox', 'v2', layoutStore(busybox), busybox.manifest);
    const again = registry.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(again, `pushing the same image again: two HEADs, then the manifest (${PUSH})`).toEqual([
      `HEAD /v2/dockerlings/busybox/blobs/${busybox.config.digest}`,
      `HEAD /v2/dockerlings/busybox/blobs/${busybox.layer.digest}`,
      'PUT /v2/dockerlings/busybox/manifests/v2',
    ]);
  });

  it('push uploads large blobs in chunks', async () => {
    const registry = await emptyRegistry();
    const chunkSize = 256 * 1024;
    await client(registry.host).push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest, { chunkSize });
    const patches = registry.requestsTo('PATCH', '').filter((r) => r.status === 202);
    expect(patches.length, `a ${busybox.layer.size}-byte layer with chunkSize ${chunkSize}: ${Math.ceil(busybox.layer.size / chunkSize)} PATCH requests (${PUSH}: pushBlob)`).toBe(Math.ceil(busybox.layer.size / chunkSize));
    let offset = 0;
    for (const [i, patch] of patches.entries()) {
      expect(patch.headers['content-range'], `PATCH ${i + 1} carries Content-Range <first>-<last byte> (distribution spec, chunked upload) (${PUSH})`).toBe(`${offset}-${offset + patch.bodyLength - 1}`);
      expect(patch.bodyLength <= chunkSize, `each chunk is at most chunkSize bytes (${PUSH})`).toBe(true);
      expect(patch.query.get('_state'), `PATCH ${i + 1} goes to the Location of the previous answer (it changes each time) (${PUSH})`).toBe(String(i + 1));
      offset += patch.bodyLength;
    }
    expect(offset, `the chunks add up to the layer (${PUSH})`).toBe(busybox.layer.size);
    const put = registry.requests.find((r) => r.method === 'PUT' && r.query.get('digest') === busybox.layer.digest);
    expect(put?.query.get('_state'), `the closing PUT ?digest= goes to the last PATCH's Location (${PUSH})`).toBe(String(patches.length + 1));
    expect(registry.blobs.get(busybox.layer.digest)?.length, `the registry assembled the whole layer (${PUSH})`).toBe(busybox.layer.size);
    expect(registry.requestsTo('PATCH', '').length, `the small config goes up in one PUT, without PATCH (${PUSH})`).toBe(patches.length);
  });

  it('answers a Bearer token challenge', async () => {
    const registry = await registryWithBusybox({ scheme: 'bearer', username: 'alice', password: 's3cret', service: 'kata-registry' });
    const alice = client(registry.host, { auth: { username: 'alice', password: 's3cret' } });
    const err = await failureOf(alice.pull('library/busybox', 'latest', await store()));
    expect(err, `a Bearer challenge: GET <realm>?service=&scope= for a token, then send the request again with Authorization: Bearer <token>; got ${describeError(err)} (${HTTP}: RegistryHttp.request; ${AUTH}: parseChallenges, fetchToken)`).toBeUndefined();
    expect(registry.tokenRequests.length, `one token per scope: the token is cached and sent with every later request (${HTTP})`).toBe(1);
    const tokenRequest = registry.tokenRequests[0];
    expect(tokenRequest?.query.get('service'), `the token request names the challenge's service (${AUTH}: fetchToken)`).toBe('kata-registry');
    expect(tokenRequest?.query.get('scope'), `the token request asks for the repository's pull scope (${AUTH}: repositoryScope)`).toBe('repository:library/busybox:pull');
    expect(tokenRequest?.headers.authorization, `the token request carries the credentials as Basic auth (${AUTH}: fetchToken)`).toBe(`Basic ${Buffer.from('alice:s3cret').toString('base64')}`);
    const refused = registry.requests.filter((r) => r.status === 401).length;
    expect(refused, `only the first request meets the challenge (${HTTP})`).toBe(1);

    await alice.push('dockerlings/copy', 'v1', layoutStore(busybox), busybox.manifest);
    expect(registry.tokenRequests.at(-1)?.query.get('scope'), `a push asks for pull,push on its repository (${AUTH}: repositoryScope)`).toBe('repository:dockerlings/copy:pull,push');
    expect(registry.manifests.has('dockerlings/copy:v1'), `the push went through with the push token (${PUSH})`).toBe(true);

    const anonymous = await failureOf(client(registry.host).pull('library/busybox', 'latest', await store()));
    expect(anonymous, `without credentials the token server refuses: a RegistryResponseError; got ${describeError(anonymous)} (${AUTH}: fetchToken)`).toBeInstanceOf(RegistryResponseError);
    expect((anonymous as RegistryResponseError).status, `… with status 401 (${AUTH})`).toBe(401);

    const oauth = await registryWithBusybox({ scheme: 'bearer', tokenField: 'access_token' });
    const viaAccessToken = await failureOf(client(oauth.host).pull('library/busybox', 'latest', await store()));
    expect(viaAccessToken, `a token server may answer {"access_token": …} instead of {"token": …} (anonymous here); got ${describeError(viaAccessToken)} (${AUTH}: fetchToken)`).toBeUndefined();
  });

  it('answers a Basic challenge', async () => {
    expect(decodeRegistryAuth(''), `an empty X-Registry-Auth header: no credentials (${AUTH}: decodeRegistryAuth)`).toBeUndefined();
    expect(decodeRegistryAuth('e30='), `"e30=" is base64 of {}: anonymous (${AUTH}: decodeRegistryAuth)`).toEqual({});
    const header = Buffer.from(JSON.stringify({ username: 'bob', password: 'p>?a~ss', serveraddress: 'x' })).toString('base64url');
    const auth = decodeRegistryAuth(header);
    expect(auth, `X-Registry-Auth is URL-safe base64 of an AuthConfig JSON object (${AUTH}: decodeRegistryAuth)`).toEqual({ username: 'bob', password: 'p>?a~ss', serveraddress: 'x' });

    const registry = await registryWithBusybox({ scheme: 'basic', username: 'bob', password: 'p>?a~ss' });
    const err = await failureOf(client(registry.host, { auth }).pull('library/busybox', 'latest', await store()));
    expect(err, `a Basic challenge: send the request again with Authorization: Basic base64(user:password); got ${describeError(err)} (${HTTP}: RegistryHttp.request; ${AUTH}: basicAuthorization)`).toBeUndefined();
    expect(registry.requests.filter((r) => r.status === 401).length, `Basic credentials, once accepted, go with every later request: one 401 in all (${HTTP})`).toBe(1);

    const wrong = await failureOf(client(registry.host, { auth: { username: 'bob', password: 'nope' } }).pull('library/busybox', 'latest', await store()));
    expect(wrong, `wrong credentials: the registry says 401 again, and pull rejects with a RegistryResponseError (no endless retry); got ${describeError(wrong)} (${HTTP})`).toBeInstanceOf(RegistryResponseError);
    expect((wrong as RegistryResponseError).code, `the error keeps the registry's OCI code (${HTTP}: responseErrorFrom)`).toBe('UNAUTHORIZED');
  });

  it('reports progress per layer (bytes done/total)', async () => {
    const registry = await registryWithBusybox();
    const pulled: ProgressEvent[] = [];
    await client(registry.host).pull('library/busybox', 'latest', await store(), { onProgress: (e) => pulled.push(e) });
    const id = short(busybox.layer.digest);
    const mine = pulled.filter((e) => e.id === id);
    expect(mine.map((e) => e.status).filter((s, i, all) => all[i - 1] !== s), `pull's events for layer ${id}, in docker's words (${PULL}: pull, fetchBlob)`).toEqual([
      'Pulling fs layer',
      'Downloading',
      'Verifying Checksum',
      'Download complete',
    ]);
    const downloading = mine.filter((e) => e.status === 'Downloading');
    expect(downloading.every((e) => e.total === busybox.layer.size), `each Downloading event has total = the layer's size (${PULL})`).toBe(true);
    expect(downloading.every((e, i) => i === 0 || (e.current ?? 0) >= (downloading[i - 1]?.current ?? 0)), `current only grows (${PULL})`).toBe(true);
    expect(downloading.at(-1)?.current, `the last Downloading event has current = total (${PULL})`).toBe(busybox.layer.size);
    expect(pulled.filter((e) => e.id === short(busybox.config.digest)), `the config blob gets no events, as in docker (${PULL})`).toEqual([]);

    const target = await emptyRegistry();
    const pushedEvents: ProgressEvent[] = [];
    await client(target.host).push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest, { onProgress: (e) => pushedEvents.push(e), chunkSize: 300_000 });
    const pushing = pushedEvents.filter((e) => e.id === id);
    expect(pushing.map((e) => e.status).filter((s, i, all) => all[i - 1] !== s), `push's events for layer ${id} (${PUSH}: push, pushBlob)`).toEqual(['Preparing', 'Pushing', 'Pushed']);
    const bytes = pushing.filter((e) => e.status === 'Pushing');
    expect(bytes.length, `Pushing is reported as the chunks go (${PUSH})`).toBeGreaterThan(1);
    expect(bytes.at(-1), `the last Pushing event has current = total = the layer's size (${PUSH})`).toMatchObject({ current: busybox.layer.size, total: busybox.layer.size });
  });

  it('pull and push against the reference registry (minidocker-registry, token auth)', async () => {
    const dir = await tempDir();
    const htpasswd = path.join(dir, 'htpasswd');
    const sha1 = createHash('sha1').update('kata-pw').digest('base64');
    await fs.writeFile(htpasswd, `carol:{SHA}${sha1}\n`);
    const registry = await harness.startReference({ htpasswd, auth: 'token' });
    const carol = client(registry.host, { auth: { username: 'carol', password: 'kata-pw' } });

    const pushed = await failureOf(carol.push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest, { chunkSize: 300_000 }));
    expect(pushed, `push to minidocker-registry in token mode, the layer in chunks; got ${describeError(pushed)} (${PUSH}, ${HTTP})`).toBeUndefined();
    const blobs = await store();
    const pulled = await carol.pull('dockerlings/busybox', 'v1', blobs);
    expect(pulled.descriptor, `pulling back what was pushed gives the same manifest (${PULL})`).toMatchObject(busybox.manifest);
    for (const blob of [busybox.manifest, busybox.config, busybox.layer]) {
      const original = await fs.readFile(path.join(busybox.layoutDir, 'blobs', 'sha256', blob.digest.slice(7)));
      expect((await fs.readFile(blobs.blobPath(blob.digest))).equals(original), `${blob.digest} came back byte for byte (${PULL}, ${PUSH})`).toBe(true);
    }
    const events: ProgressEvent[] = [];
    await carol.push('dockerlings/busybox', 'v2', layoutStore(busybox), busybox.manifest, { onProgress: (e) => events.push(e) });
    expect(events, `pushing again, the registry's HEAD says the layer exists (${PUSH})`).toContainEqual(expect.objectContaining({ id: short(busybox.layer.digest), status: 'Layer already exists' }));

    const anonymous = await failureOf(client(registry.host).pull('dockerlings/busybox', 'v1', await store()));
    expect(anonymous, `without credentials the token server refuses: a RegistryResponseError; got ${describeError(anonymous)} (${AUTH}: fetchToken)`).toBeInstanceOf(RegistryResponseError);
  });

  it.skipIf(distribution.skip)("pull and push against Debian's docker-registry (distribution 2.8)", async () => {
    const bin = requireTool(distribution);
    const registry: Distribution = await startDistribution(bin, scope);
    const docker = client(registry.host);
    const pushed = await docker.push('dockerlings/busybox', 'v1', layoutStore(busybox), busybox.manifest);
    expect(pushed.digest, `distribution accepted the push and answered the same manifest digest (${PUSH})`).toBe(busybox.manifest.digest);
    await docker.push('dockerlings/hello-world', 'v1', layoutStore(hello), hello.manifest, { chunkSize: 200_000 });

    const blobs = await store();
    const pulled = await client(registry.host).pull('dockerlings/busybox', 'v1', blobs);
    expect(pulled.descriptor, `pulling back what was pushed gives the same manifest (${PULL})`).toMatchObject(busybox.manifest);
    for (const blob of [busybox.manifest, busybox.config, busybox.layer]) {
      const original = await fs.readFile(path.join(busybox.layoutDir, 'blobs', 'sha256', blob.digest.slice(7)));
      expect((await fs.readFile(blobs.blobPath(blob.digest))).equals(original), `${blob.digest} came back byte for byte (${PULL}, ${PUSH})`).toBe(true);
    }
    const chunked = await client(registry.host).pull('dockerlings/hello-world', 'v1', blobs);
    expect(chunked.layers.map((l) => l.digest), `the image pushed in chunks comes back whole (${PUSH}: pushBlob)`).toEqual([hello.layer.digest]);

    const events: ProgressEvent[] = [];
    await docker.push('dockerlings/busybox', 'v2', layoutStore(busybox), busybox.manifest, { onProgress: (e) => events.push(e) });
    expect(events, `pushing again, distribution's HEAD says the layer exists (${PUSH})`).toContainEqual(expect.objectContaining({ id: short(busybox.layer.digest), status: 'Layer already exists' }));
  });
});
