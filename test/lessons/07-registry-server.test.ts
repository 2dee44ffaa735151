/**
 * Lesson 07 — registry: server. Real HTTP requests to a real registry on
 * 127.0.0.1 (an OS-chosen port), grouped by the distribution-spec conformance
 * categories: pull, push, content discovery, content management; plus the
 * faults (a SIGKILL mid-upload, 20 concurrent pushes), auth, and skopeo.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { buildBaseImages } from '../../fixtures/base-images.js';
import { prerequisite, requireTool } from '../support/prereq.js';
import { errorCodes, makeTestImage, pushBlob, pushManifest, pushTestImage } from '../support/registry-harness.js';
import { sha256 } from '../support/bytes.js';
import {
  exec,
  harness,
  SERVER,
  BLOBS,
  UPLOADS,
  MANIFESTS,
  STORAGE,
  ERRORS,
  NAMES,
  AUTH,
  MAIN,
  start,
  storedBlobs,
  filesUnder,
  at,
  MANIFEST_DETAIL,
  sha1,
} from './07-registry-server/helpers.js';

afterEach(() => harness.cleanup());

describe('lesson 07 — registry: server', () => {
  it('GET /v2/ answers 200 with the API version header; the registry listens on loopback only unless told otherwise', async () => {
    const proc = await harness.startProcess();
    expect(proc.url, `--listen 127.0.0.1:0 must print the port the OS chose — ${MAIN}`).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    const res = await fetch(`${proc.url}/v2/`);
    expect(res.status, `GET /v2/ is how clients check that a registry speaks the API (end-1) — ${SERVER}`).toBe(200);
    expect(res.headers.get('docker-distribution-api-version'), `every reply carries Docker-Distribution-API-Version: registry/2.0 — ${SERVER}`).toBe(
      'registry/2.0',
    );
    expect(await res.json(), `the body of GET /v2/ is {} — ${SERVER}`).toEqual({});
    const unknown = await fetch(`${proc.url}/v2/busybox/nonsense`);
    expect(unknown.headers.get('docker-distribution-api-version'), `error replies carry the header too — ${SERVER}`).toBe('registry/2.0');

    const remote = await harness.startProcess({ listen: '0.0.0.0:0', waitForListening: false });
    const status = await remote.exited;
    expect(status.code, `--listen 0.0.0.0:… without --allow-remote must be refused with exit code 1 — ${SERVER} startRegistry`).toBe(1);
    expect(remote.stderr(), `say why: the address is not loopback — ${MAIN}`).toMatch(/loopback/);

    proc.signal('SIGTERM');
    expect((await proc.exited).code, `SIGTERM closes the registry and exits 0 — ${MAIN} runRegistry`).toBe(0);
  });

  describe('pull', () => {
    it('pull: blobs by digest with Docker-Content-Digest, Content-Length and Range', async () => {
      const registry = await start();
      const data = Buffer.from('0123456789abcdefghij');
      const digest = await pushBlob(registry.url, 'library/busybox', data);
      const get = await fetch(`${registry.url}/v2/library/busybox/blobs/${digest}`);
      expect(get.status, `GET /v2/<name>/blobs/<digest> of a pushed blob is 200 — ${BLOBS} getBlob`).toBe(200);
      expect(get.headers.get('docker-content-digest'), `Docker-Content-Digest names the blob — ${BLOBS}`).toBe(digest);
      expect(get.headers.get('content-length'), `Content-Length is the blob's size — ${BLOBS}`).toBe(String(data.length));
      expect(Buffer.from(await get.arrayBuffer()).toString(), `the body is the blob's bytes — ${BLOBS}`).toBe(data.toString());

      const head = await fetch(`${registry.url}/v2/library/busybox/blobs/${digest}`, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length'), head.headers.get('docker-content-digest')], `HEAD answers like GET, without a body — ${BLOBS}`).toEqual([
        200,
        String(data.length),
        digest,
      ]);

      const part = await fetch(`${registry.url}/v2/library/busybox/blobs/${digest}`, { headers: { Range: 'bytes=5-9' } });
      expect(part.status, `Range: bytes=5-9 is answered with 206 Partial Content — ${BLOBS} parseByteRange`).toBe(206);
      expect(part.headers.get('content-range'), `a 206 says which bytes: Content-Range: bytes 5-9/20 — ${BLOBS}`).toBe('bytes 5-9/20');
      expect(await part.text(), `a 206 carries exactly bytes 5 to 9, both included — ${BLOBS}`).toBe('56789');
      const tail = await fetch(`${registry.url}/v2/library/busybox/blobs/${digest}`, { headers: { Range: 'bytes=15-' } });
      expect(await tail.text(), `bytes=15- is everything from byte 15 on — ${BLOBS} parseByteRange`).toBe('fghij');
      const beyond = await fetch(`${registry.url}/v2/library/busybox/blobs/${digest}`, { headers: { Range: 'bytes=50-60' } });
      expect(beyond.status, `a range past the end is 416 — ${BLOBS} parseByteRange`).toBe(416);
      expect(beyond.headers.get('content-range'), `a 416 names the size: Content-Range: bytes */20 — ${BLOBS}`).toBe('bytes */20');

      const missing = await fetch(`${registry.url}/v2/library/busybox/blobs/${sha256('nothing')}`);
      expect(missing.status, `an unknown blob is 404 — ${STORAGE} statBlob`).toBe(404);
      expect(await errorCodes(missing), `…with the envelope {"errors":[{"code":"BLOB_UNKNOWN",…}]} — ${ERRORS}`).toEqual(['BLOB_UNKNOWN']);
      const elsewhere = await fetch(`${registry.url}/v2/other/blobs/${digest}`);
      expect(elsewhere.status, `a blob pushed to library/busybox is not in repository "other" until pushed or mounted there — ${STORAGE}`).toBe(404);
    });

    it('pull: manifests by tag and by digest with their media type', async () => {
      const registry = await start();
      const oci = makeTestImage();
      const docker = makeTestImage({ docker: true });
      await pushTestImage(registry.url, 'app', 'v1', oci);
      await pushTestImage(registry.url, 'app', 'v2', docker);
      for (const [image, tag] of [[oci, 'v1'], [docker, 'v2']] as const) {
        for (const reference of [tag, image.manifestDigest]) {
          const res = await fetch(`${registry.url}/v2/app/manifests/${reference}`, { headers: { Accept: image.mediaType } });
          expect(res.status, `GET /v2/app/manifests/${reference} of a pushed manifest is 200 — ${MANIFESTS} getManifest`).toBe(200);
          expect(res.headers.get('content-type'), `a manifest is served with the media type it was pushed with — ${STORAGE} putManifest/getManifest`).toBe(
            image.mediaType,
          );
          expect(res.headers.get('docker-content-digest'), `Docker-Content-Digest is the manifest's digest — ${MANIFESTS}`).toBe(image.manifestDigest);
          expect(Buffer.from(await res.arrayBuffer()).equals(image.manifest), `the bytes are exactly the bytes pushed (never re-serialised JSON) — ${STORAGE}`).toBe(true);
        }
      }
      const head = await fetch(`${registry.url}/v2/app/manifests/v1`, { method: 'HEAD' });
      expect([head.status, head.headers.get('content-length'), head.headers.get('docker-content-digest')], `HEAD of a manifest: 200, its size and digest — ${MANIFESTS}`).toEqual([
        200,
        String(oci.manifest.length),
        oci.manifestDigest,
      ]);
      const unknown = await fetch(`${registry.url}/v2/app/manifests/nope`);
      expect([unknown.status, await errorCodes(unknown)], `an unknown tag is 404 MANIFEST_UNKNOWN — ${STORAGE} getManifest`).toEqual([404, ['MANIFEST_UNKNOWN']]);
    });
  });

  describe('push', () => {
    it('push: a monolithic upload (POST ?digest=) stores the blob', async () => {
      const registry = await start();
      const data = Buffer.from('a monolithic blob');
      const digest = sha256(data);
      const res = await fetch(`${registry.url}/v2/mono/blobs/uploads/?digest=${digest}`, { method: 'POST', body: data });
      expect(res.status, `POST ?digest= with the whole blob is 201 Created (end-4b) — ${BLOBS} startUpload`).toBe(201);
      expect(res.headers.get('location'), `201 names the blob in Location — ${BLOBS}`).toBe(`/v2/mono/blobs/${digest}`);
      expect(res.headers.get('docker-content-digest'), `…and its Docker-Content-Digest — ${BLOBS}`).toBe(digest);
      expect(await storedBlobs(registry.root), `the blob is in the content store under <root>/blobs/sha256 — ${STORAGE}`).toContain(digest.slice(7));
      expect(await (await fetch(`${registry.url}/v2/mono/blobs/${digest}`)).text(), `and can be pulled back — ${STORAGE} linkBlob`).toBe(data.toString());

      const other = Buffer.from('POST, then PUT of the whole blob');
      const post = await fetch(`${registry.url}/v2/mono/blobs/uploads/`, { method: 'POST' });
      expect(post.status, `POST without ?digest= opens a session: 202 (end-4a) — ${BLOBS} startUpload`).toBe(202);
      const put = await fetch(`${at(registry, post.headers.get('location'))}?digest=${sha256(other)}`, { method: 'PUT', body: other });
      expect(put.status, `PUT <location>?digest= with the whole blob completes it: 201 (end-6) — ${BLOBS} completeUpload`).toBe(201);
      expect(await (await fetch(`${registry.url}/v2/mono/blobs/${sha256(other)}`)).text(), `…and the blob can be pulled — ${UPLOADS} complete`).toBe(
        other.toString(),
      );
    });

    it('push: a chunked upload (POST, PATCH…, PUT) stores the blob; an out-of-order chunk gets 416 and the session stays usable', async () => {
      const registry = await start();
      const blob = Buffer.from('AAAAAAAAAABBBBBBBBBBCCCCC');
      const post = await fetch(`${registry.url}/v2/chunky/blobs/uploads/`, { method: 'POST', headers: { 'Content-Length': '0' } });
      expect(post.status, `POST opens an upload session: 202 — ${BLOBS} startUpload`).toBe(202);
      expect(post.headers.get('docker-upload-uuid'), `202 carries Docker-Upload-UUID — ${BLOBS}`).toMatch(/\S/);
      expect(post.headers.get('range'), `a new session has Range: 0-0 — ${UPLOADS} uploadRange`).toBe('0-0');
      let location = at(registry, post.headers.get('location'));
      expect(new URL(location).pathname, `Location is /v2/<name>/blobs/uploads/<uuid> — ${BLOBS}`).toBe(
        `/v2/chunky/blobs/uploads/${post.headers.get('docker-upload-uuid')}`,
      );

      const patch = (body: Buffer, range?: string) =>
        fetch(location, { method: 'PATCH', body, headers: { 'Content-Type': 'application/octet-stream', ...(range ? { 'Content-Range': range } : {}) } });
      const first = await patch(blob.subarray(0, 10), '0-9');
      expect(first.status, `PATCH with Content-Range: 0-9 appends the chunk: 202 (end-5) — ${BLOBS} patchUpload`).toBe(202);
      expect(first.headers.get('range'), `…and the reply says how far the upload got: Range: 0-9 — ${UPLOADS}`).toBe('0-9');
      location = at(registry, first.headers.get('location'));

      const again = await patch(blob.subarray(0, 10), '0-9');
      expect(again.status, `sending 0-9 again is out of order: 416 — ${UPLOADS} append`).toBe(416);
      expect(again.headers.get('range'), `the 416 carries the session's Range: 0-9, so the client can resume — ${UPLOADS}`).toBe('0-9');
      const skip = await patch(blob.subarray(15, 20), '15-19');
      expect(skip.status, `a chunk that leaves a gap (15-19 after 0-9) is 416 too — ${UPLOADS} append`).toBe(416);

      const status = await fetch(location);
      expect(status.status, `GET <location> reports on the session: 204 (end-13) — ${BLOBS} uploadStatus`).toBe(204);
      expect(status.headers.get('range'), `the refused chunks left the session as it was: Range 0-9 — ${UPLOADS}`).toBe('0-9');

      const second = await patch(blob.subarray(10, 20), '10-19');
      expect([second.status, second.headers.get('range')], `the right next chunk, 10-19, is accepted after a 416 — ${UPLOADS}`).toEqual([202, '0-19']);
      const put = await fetch(`${at(registry, second.headers.get('location'))}?digest=${sha256(blob)}`, {
        method: 'PUT',
        body: blob.subarray(20),
        headers: { 'Content-Range': '20-24' },
      });
      expect(put.status, `PUT ?digest= with the last chunk completes the upload: 201 — ${BLOBS} completeUpload`).toBe(201);
      const got = await fetch(`${registry.url}/v2/chunky/blobs/${sha256(blob)}`);
      expect(await got.text(), `the blob is the chunks in order — ${UPLOADS} complete`).toBe(blob.toString());
      expect((await fetch(location)).status, `a completed session is gone: GET <location> is 404 — ${UPLOADS} complete`).toBe(404);

      // docker and skopeo send PATCH without Content-Range ("streamed"): the body is appended as is.
      const streamed = await fetch(`${registry.url}/v2/chunky/blobs/uploads/`, { method: 'POST' });
      const sLoc = at(registry, streamed.headers.get('location'));
      const sPatch = await fetch(sLoc, { method: 'PATCH', body: Buffer.from('streamed') });
      expect([sPatch.status, sPatch.headers.get('range')], `a PATCH without Content-Range appends the whole body — ${BLOBS} patchUpload`).toEqual([202, '0-7']);
      const cancel = await fetch(sLoc, { method: 'DELETE' });
      expect(cancel.status, `DELETE <location> cancels a session: 204 — ${BLOBS} cancelUpload`).toBe(204);
      const gone = await fetch(sLoc);
      expect([gone.status, await errorCodes(gone)], `a cancelled session is 404 BLOB_UPLOAD_UNKNOWN — ${UPLOADS} status`).toEqual([404, ['BLOB_UPLOAD_UNKNOWN']]);
    });

    it('push: a digest mismatch is DIGEST_INVALID and stores nothing', async () => {
      const registry = await start();
      const data = Buffer.from('the real bytes');
      const claimed = sha256('other bytes');
      const mono = await fetch(`${registry.url}/v2/bad/blobs/uploads/?digest=${claimed}`, { method: 'POST', body: data });
      expect(mono.status, `POST ?digest= whose body has another digest is 400 — ${BLOBS} startUpload`).toBe(400);
      expect(await errorCodes(mono), `…with code DIGEST_INVALID — ${ERRORS}`).toEqual(['DIGEST_INVALID']);

      const post = await fetch(`${registry.url}/v2/bad/blobs/uploads/`, { method: 'POST' });
      const location = at(registry, post.headers.get('location'));
      await fetch(location, { method: 'PATCH', body: data });
      const put = await fetch(`${location}?digest=${claimed}`, { method: 'PUT' });
      expect([put.status, await errorCodes(put)], `closing a session with the wrong ?digest= is 400 DIGEST_INVALID — ${UPLOADS} complete`).toEqual([
        400,
        ['DIGEST_INVALID'],
      ]);
      const invalid = await fetch(`${registry.url}/v2/bad/blobs/uploads/?digest=sha256:xyz`, { method: 'POST', body: data });
      expect([invalid.status, await errorCodes(invalid)], `a digest that is not sha256:<64 hex> is 400 DIGEST_INVALID — ${NAMES} parseBlobDigest`).toEqual([
        400,
        ['DIGEST_INVALID'],
      ]);
      expect(await storedBlobs(registry.root), `nothing may be stored after a mismatch — ${UPLOADS} complete (let FsBlobStore.put verify)`).toEqual([]);
      for (const digest of [claimed, sha256(data)]) {
        const head = await fetch(`${registry.url}/v2/bad/blobs/${digest}`, { method: 'HEAD' });
        expect(head.status, `neither the claimed nor the real digest is a blob after a mismatch — ${STORAGE}`).toBe(404);
      }
    });

    it('push: a manifest naming unknown blobs is MANIFEST_BLOB_UNKNOWN; a malformed one is MANIFEST_INVALID naming the field', async () => {
      const registry = await start();
      const image = makeTestImage();
      await pushBlob(registry.url, 'app', image.config); // the layer is missing
      const put = (body: string | Buffer, reference = 'v1', type = image.mediaType) =>
        fetch(`${registry.url}/v2/app/manifests/${reference}`, { method: 'PUT', headers: { 'Content-Type': type }, body });
      const unknown = await put(image.manifest);
      expect(unknown.status, `a manifest whose layer was never pushed is refused with 400 — ${MANIFESTS} putManifest`).toBe(400);
      const body = (await unknown.json()) as { errors: { code: string; detail?: { digest?: string } }[] };
      expect(body.errors.map((e) => e.code), `…code MANIFEST_BLOB_UNKNOWN — ${MANIFESTS}`).toEqual(['MANIFEST_BLOB_UNKNOWN']);
      expect(body.errors[0]?.detail?.digest, `…and detail.digest names the missing blob — ${MANIFEST_DETAIL}`).toBe(image.layerDigest);
      expect((await fetch(`${registry.url}/v2/app/manifests/v1`)).status, `a refused manifest is not stored — ${MANIFESTS}`).toBe(404);

      const index = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: image.mediaType, digest: image.manifestDigest, size: image.manifest.length }],
      });
      const idx = await put(index, 'multi', 'application/vnd.oci.image.index.v1+json');
      expect(await errorCodes(idx), `an index naming a manifest the repository lacks is MANIFEST_BLOB_UNKNOWN — ${MANIFESTS}`).toEqual(['MANIFEST_BLOB_UNKNOWN']);

      const manifest = JSON.parse(image.manifest.toString()) as { layers: { digest: string }[] };
      manifest.layers[0]!.digest = 'sha256:not-a-digest';
      const malformed = await put(JSON.stringify(manifest));
      const err = (await malformed.json()) as { errors: { code: string; message: string; detail?: { field?: string } }[] };
      expect([malformed.status, err.errors[0]?.code], `a bad descriptor is 400 MANIFEST_INVALID — ${MANIFESTS} checkManifest`).toEqual([400, 'MANIFEST_INVALID']);
      expect(`${err.errors[0]?.message} ${JSON.stringify(err.errors[0]?.detail)}`, `the error names the field: layers[0].digest — ${MANIFESTS} checkManifest`).toContain(
        'layers[0].digest',
      );
      const notJson = await put('{"schemaVersion": 2,');
      expect([notJson.status, await errorCodes(notJson)], `a body that is not JSON is 400 MANIFEST_INVALID — ${MANIFESTS}`).toEqual([400, ['MANIFEST_INVALID']]);
      const wrongType = await put(image.manifest, 'v1', 'application/vnd.oci.image.index.v1+json');
      expect(await errorCodes(wrongType), `a Content-Type other than the manifest's mediaType is MANIFEST_INVALID — ${MANIFESTS}`).toEqual(['MANIFEST_INVALID']);

      await pushBlob(registry.url, 'app', image.layer);
      const byDigest = await put(image.manifest, sha256('something else'));
      expect(await errorCodes(byDigest), `PUT by a digest that is not the body's digest is DIGEST_INVALID — ${MANIFESTS} putManifest`).toEqual(['DIGEST_INVALID']);
      const ok = await put(image.manifest, image.manifestDigest);
      expect(ok.status, `once every blob is there, PUT by digest is 201 — ${MANIFESTS}`).toBe(201);
      expect([ok.headers.get('location'), ok.headers.get('docker-content-digest')], `201 names the manifest: Location and Docker-Content-Digest — ${MANIFESTS}`).toEqual([
        `/v2/app/manifests/${image.manifestDigest}`,
        image.manifestDigest,
      ]);
    });

    it('push: cross-repository mount', async () => {
      const registry = await start();
      const data = Buffer.from('a layer shared by two repositories');
      const digest = await pushBlob(registry.url, 'team/base', data);
      const mount = await fetch(`${registry.url}/v2/team/app/blobs/uploads/?mount=${digest}&from=team/base`, { method: 'POST' });
      expect(mount.status, `POST ?mount=<digest>&from=<repo> of a blob that repo has is 201 (end-11) — ${BLOBS} startUpload`).toBe(201);
      expect([mount.headers.get('location'), mount.headers.get('docker-content-digest')], `…naming the blob in the new repository — ${BLOBS}`).toEqual([
        `/v2/team/app/blobs/${digest}`,
        digest,
      ]);
      expect(await (await fetch(`${registry.url}/v2/team/app/blobs/${digest}`)).text(), `the mounted blob can be pulled from team/app — ${STORAGE} linkBlob`).toBe(
        data.toString(),
      );
      expect(await storedBlobs(registry.root), `a mount links, it does not copy: one blob in the store — ${STORAGE}`).toEqual([digest.slice(7)]);
      const fallback = await fetch(`${registry.url}/v2/team/other/blobs/uploads/?mount=${sha256('absent')}&from=team/base`, { method: 'POST' });
      expect(fallback.status, `a mount of a blob "from" lacks falls back to a new upload session: 202 — ${BLOBS} startUpload`).toBe(202);
      expect(fallback.headers.get('location'), `…with the session's Location — ${BLOBS}`).toMatch(/^\/v2\/team\/other\/blobs\/uploads\/\S+$/);
    });
  });

  describe('content discovery', () => {
    it('content discovery: tags list paginates with n and last; _catalog lists repositories', async () => {
      const registry = await start();
      const image = makeTestImage();
      await pushTestImage(registry.url, 'app', 'v1', image);
      for (const tag of ['v3', 'latest', 'Zeta', 'v2', 'A']) await pushManifest(registry.url, 'app', tag, image.manifest, image.mediaType);
      await pushBlob(registry.url, 'zeta/tools', Buffer.from('x'));
      const all = await fetch(`${registry.url}/v2/app/tags/list`);
      expect(all.status, `GET /v2/<name>/tags/list is 200 (end-8a) — ${MANIFESTS} listTags`).toBe(200);
      expect(await all.json(), `{name, tags} with the tags sorted byte-wise like Go's sort.Strings ("Zeta" before "latest") — ${STORAGE} tags`).toEqual({
        name: 'app',
        tags: ['A', 'Zeta', 'latest', 'v1', 'v2', 'v3'],
      });
      const page1 = await fetch(`${registry.url}/v2/app/tags/list?n=2`);
      expect((await page1.json()) as unknown, `n=2 returns the first two tags — ${MANIFESTS} paginate`).toEqual({ name: 'app', tags: ['A', 'Zeta'] });
      const link = page1.headers.get('link') ?? '';
      expect(link, `when more tags remain, Link: </v2/app/tags/list?n=2&last=Zeta>; rel="next" — ${MANIFESTS} paginate`).toMatch(
        /^<\/v2\/app\/tags\/list\?(n=2&last=Zeta|last=Zeta&n=2)>; rel="next"$/,
      );
      const page2 = await fetch(new URL(link.slice(1, link.indexOf('>')), registry.url));
      expect((await page2.json()) as unknown, `following the link gives the tags after "Zeta" — ${MANIFESTS} paginate`).toEqual({ name: 'app', tags: ['latest', 'v1'] });
      const page3 = await fetch(`${registry.url}/v2/app/tags/list?n=2&last=v1`);
      expect([(await page3.json()) as unknown, page3.headers.get('link')], `the last page has no Link header — ${MANIFESTS} paginate`).toEqual([
        { name: 'app', tags: ['v2', 'v3'] },
        null,
      ]);
      const zero = await fetch(`${registry.url}/v2/app/tags/list?n=0`);
      expect([(await zero.json()) as unknown, zero.headers.get('link')], `n=0 is an empty list without a Link — ${MANIFESTS} paginate`).toEqual([
        { name: 'app', tags: [] },
        null,
      ]);
      const missing = await fetch(`${registry.url}/v2/nothere/tags/list`);
      expect([missing.status, await errorCodes(missing)], `the tags of an unknown repository: 404 NAME_UNKNOWN — ${STORAGE} tags`).toEqual([404, ['NAME_UNKNOWN']]);

      const catalog = await fetch(`${registry.url}/v2/_catalog`);
      expect(await catalog.json(), `_catalog lists every repository, sorted, nested names included — ${STORAGE} repositories`).toEqual({
        repositories: ['app', 'zeta/tools'],
      });
      const first = await fetch(`${registry.url}/v2/_catalog?n=1`);
      expect([(await first.json()) as unknown, first.headers.get('link')], `_catalog paginates like tags — ${MANIFESTS} listRepositories`).toEqual([
        { repositories: ['app'] },
        '</v2/_catalog?n=1&last=app>; rel="next"',
      ]);
    });
  });

  describe('content management', () => {
    it('content management: deleting manifests and blobs', async () => {
      const registry = await start();
      const image = makeTestImage();
      await pushTestImage(registry.url, 'app', 'v1', image);
      await pushManifest(registry.url, 'app', 'v2', image.manifest, image.mediaType);
      await pushManifest(registry.url, 'app', 'keep', image.manifest, image.mediaType);

      const delTag = await fetch(`${registry.url}/v2/app/manifests/keep`, { method: 'DELETE' });
      expect(delTag.status, `DELETE by tag removes the tag: 202 (end-9, spec v1.1) — ${STORAGE} deleteManifest`).toBe(202);
      expect((await fetch(`${registry.url}/v2/app/manifests/keep`)).status, `the deleted tag is 404 — ${STORAGE}`).toBe(404);
      expect((await fetch(`${registry.url}/v2/app/manifests/v1`)).status, `deleting one tag leaves the manifest and its other tags — ${STORAGE}`).toBe(200);

      const delManifest = await fetch(`${registry.url}/v2/app/manifests/${image.manifestDigest}`, { method: 'DELETE' });
      expect(delManifest.status, `DELETE by digest is 202 — ${MANIFESTS} deleteManifest`).toBe(202);
      for (const ref of [image.manifestDigest, 'v1', 'v2']) {
        const res = await fetch(`${registry.url}/v2/app/manifests/${ref}`);
        expect(res.status, `after DELETE by digest, ${ref} is 404: the manifest and every tag pointing at it are gone — ${STORAGE} deleteManifest`).toBe(404);
      }
      expect(((await (await fetch(`${registry.url}/v2/app/tags/list`)).json()) as { tags: string[] }).tags, `no tag is left — ${STORAGE}`).toEqual([]);
      const again = await fetch(`${registry.url}/v2/app/manifests/${image.manifestDigest}`, { method: 'DELETE' });
      expect([again.status, await errorCodes(again)], `deleting it again is 404 MANIFEST_UNKNOWN — ${STORAGE}`).toEqual([404, ['MANIFEST_UNKNOWN']]);

      const delBlob = await fetch(`${registry.url}/v2/app/blobs/${image.layerDigest}`, { method: 'DELETE' });
      expect(delBlob.status, `DELETE /v2/<name>/blobs/<digest> is 202 (end-10) — ${BLOBS} deleteBlob`).toBe(202);
      expect((await fetch(`${registry.url}/v2/app/blobs/${image.layerDigest}`)).status, `a deleted blob is 404 — ${STORAGE} unlinkBlob`).toBe(404);
      const blobAgain = await fetch(`${registry.url}/v2/app/blobs/${image.layerDigest}`, { method: 'DELETE' });
      expect([blobAgain.status, await errorCodes(blobAgain)], `deleting a blob that is not there is 404 BLOB_UNKNOWN — ${STORAGE}`).toEqual([404, ['BLOB_UNKNOWN']]);
      expect((await fetch(`${registry.url}/v2/app/blobs/${image.configDigest}`)).status, `the other blobs stay — ${STORAGE}`).toBe(200);
    });
  });

  it('a bad repository name is NAME_INVALID', async () => {
    const registry = await start();
    const data = Buffer.from('x');
    for (const name of ['Upper', 'a..b', 'trailing-', '-leading', 'a//b', `${'a'.repeat(256)}`]) {
      const res = await fetch(`${registry.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
      expect([res.status, await errorCodes(res)], `"${name.slice(0, 20)}" breaks the repository name grammar: 400 NAME_INVALID — ${NAMES} parseRepositoryName`).toEqual([
        400,
        ['NAME_INVALID'],
      ]);
      const tags = await fetch(`${registry.url}/v2/${name}/tags/list`);
      expect(await errorCodes(tags), `every route checks the name: GET tags/list of "${name.slice(0, 20)}" — ${SERVER}`).toEqual(['NAME_INVALID']);
    }
    expect(await filesUnder(registry.root), `nothing may be written for a refused name — ${NAMES}`).toEqual([]);
    for (const name of ['a', 'library/busybox', 'my.registry_name/sub-repo', 'a__b/c--d']) {
      const res = await fetch(`${registry.url}/v2/${name}/blobs/uploads/?digest=${sha256(data)}`, { method: 'POST', body: data });
      expect(res.status, `"${name}" is a valid repository name — ${NAMES} REPOSITORY_NAME`).toBe(201);
    }
  });

  it('a registry killed with SIGKILL mid-upload leaves no visible partial blob and the retry succeeds', async () => {
    const proc = await harness.startProcess();
    const blob = Buffer.alloc(256 * 1024, 'k');
    const digest = sha256(blob);
    const post = await fetch(`${proc.url}/v2/crash/blobs/uploads/`, { method: 'POST' });
    const location = at(proc, post.headers.get('location'));
    // PUT the blob, but send only half of it and stall: the registry is busy with this upload when it dies.
    const req = http.request(`${location}?digest=${digest}`, { method: 'PUT', headers: { 'Content-Length': String(blob.length) } });
    req.on('error', () => undefined);
    req.write(blob.subarray(0, blob.length / 2));
    const dataFile = path.join(proc.root, 'uploads', new URL(location).pathname.split('/').pop()!, 'data');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && ((await fs.stat(dataFile).catch(() => undefined))?.size ?? 0) === 0) await new Promise((r) => setTimeout(r, 20));
    expect((await fs.stat(dataFile).catch(() => undefined))?.size ?? 0, `the bytes of an upload stream to <root>/uploads/<uuid>/data as they arrive — ${UPLOADS}`).toBeGreaterThan(0);
    proc.signal('SIGKILL');
    await proc.exited;
    req.destroy();

    expect(await storedBlobs(proc.root), `a killed upload must never show up as a blob — ${UPLOADS} complete`).toEqual([]);
    const restarted = await harness.startProcess({ root: proc.root });
    const head = await fetch(`${restarted.url}/v2/crash/blobs/${digest}`, { method: 'HEAD' });
    expect(head.status, `after a restart, the half-sent blob is unknown — ${STORAGE}`).toBe(404);
    const status = await fetch(new URL(new URL(location).pathname, restarted.url));
    expect(status.status, `upload sessions live on disk and survive a restart: GET <location> is 204 — ${UPLOADS} status`).toBe(204);
    const retry = await pushBlob(restarted.url, 'crash', blob);
    const got = await fetch(`${restarted.url}/v2/crash/blobs/${retry}`);
    expect(Buffer.from(await got.arrayBuffer()).equals(blob), `the retried upload succeeds and serves the whole blob — ${UPLOADS}`).toBe(true);
  });

  it('20 concurrent pushes of the same image all succeed with one copy of each blob', async () => {
    const registry = await start();
    const image = makeTestImage({ layerSize: 64 * 1024 });
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => pushTestImage(registry.url, 'busy/app', 'latest', image)));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
    expect(failures, `every concurrent push must succeed — ${STORAGE} (atomic links) and the content store`).toEqual([]);
    expect((await storedBlobs(registry.root)).sort(), `one copy of the config, the layer and the manifest, nothing else — ${STORAGE}`).toEqual(
      [image.configDigest, image.layerDigest, image.manifestDigest].map((d) => d.slice(7)).sort(),
    );
    const res = await fetch(`${registry.url}/v2/busy/app/manifests/latest`);
    expect(res.headers.get('docker-content-digest'), `the tag points at the pushed manifest — ${STORAGE}`).toBe(image.manifestDigest);
    const leftovers = (await filesUnder(registry.root)).filter((f) => f.startsWith('ingest') || f.startsWith('uploads') || f.includes('.tmp'));
    expect(leftovers, `no temp or ingest files are left behind — ${STORAGE}`).toEqual([]);
  });

  it('Basic and token auth challenge unauthenticated requests', async () => {
    const dir = await harness.tempDir();
    const htpasswd = path.join(dir, 'htpasswd');
    await fs.writeFile(htpasswd, `alice:${bcrypt.hashSync('wonderland', 4)}\nbob:{SHA}${Buffer.from(await sha1('builder')).toString('base64')}\n`);
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

    const registry = await start({ htpasswd });
    const anon = await fetch(`${registry.url}/v2/`);
    expect(anon.status, `with --htpasswd, a request without credentials is 401 — ${AUTH} authorize`).toBe(401);
    expect(anon.headers.get('www-authenticate'), `…with a Basic challenge — ${AUTH}`).toMatch(/^Basic realm="[^"]+"/);
    expect(await errorCodes(anon), `…and code UNAUTHORIZED — ${ERRORS}`).toEqual(['UNAUTHORIZED']);
    expect((await fetch(`${registry.url}/v2/`, { headers: { Authorization: basic('alice', 'wrong') } })).status, `a wrong password is 401 — ${AUTH}`).toBe(401);
    expect((await fetch(`${registry.url}/v2/`, { headers: { Authorization: basic('alice', 'wonderland') } })).status, `a bcrypt htpasswd entry lets alice in — ${AUTH} verifyPassword`).toBe(200);
    expect((await fetch(`${registry.url}/v2/`, { headers: { Authorization: basic('bob', 'builder') } })).status, `a {SHA} htpasswd entry lets bob in — ${AUTH} verifyPassword`).toBe(200);
    await pushBlob(registry.url, 'private', Buffer.from('secret'), { Authorization: basic('alice', 'wonderland') });

    const tokens = await start({ htpasswd, auth: 'token' });
    const anonPull = await fetch(`${tokens.url}/v2/private/tags/list`);
    expect(anonPull.status, `token mode: no token is 401 — ${AUTH} authorize`).toBe(401);
    const challenge = anonPull.headers.get('www-authenticate') ?? '';
    expect(challenge, `the Bearer challenge names the realm, the service and the scope — ${AUTH}`).toBe(
      `Bearer realm="${tokens.url}/token",service="minidocker-registry",scope="repository:private:pull"`,
    );
    const tokenUrl = `${tokens.url}/token?service=minidocker-registry&scope=repository:private:pull,push`;
    expect((await fetch(tokenUrl)).status, `the token endpoint wants Basic credentials — ${AUTH} issueToken`).toBe(401);
    const tokenRes = await fetch(tokenUrl, { headers: { Authorization: basic('alice', 'wonderland') } });
    expect(tokenRes.status, `with alice's credentials the token endpoint answers 200 — ${AUTH} issueToken`).toBe(200);
    const { token } = (await tokenRes.json()) as { token: string };
    const bearer = { Authorization: `Bearer ${token}` };
    const data = Buffer.from('with a token');
    expect(await pushBlob(tokens.url, 'private', data, bearer), `a token for repository:private:pull,push lets alice push — ${AUTH}`).toBe(sha256(data));
    expect((await fetch(`${tokens.url}/v2/other/tags/list`, { headers: bearer })).status, `the token is for "private" only: "other" is 401 — ${AUTH} authorize`).toBe(401);
    const forged = `${token.slice(0, -4)}AAAA`;
    expect((await fetch(`${tokens.url}/v2/`, { headers: { Authorization: `Bearer ${forged}` } })).status, `a token with a wrong signature is 401 — ${AUTH}`).toBe(401);
  });

  const skopeo = prerequisite('skopeo', 'apt-get install skopeo');
  it.skipIf(skopeo.skip)('interop: skopeo copies an OCI layout to the registry and back with identical digests', { timeout: 120_000 }, async () => {
    const bin = requireTool(skopeo);
    const dir = await harness.tempDir();
    const images = await buildBaseImages(path.join(dir, 'images'));
    const registry = await start();
    const host = new URL(registry.url).host;
    const tls = ['--src-tls-verify=false', '--dest-tls-verify=false'];
    await exec(bin, ['copy', ...tls, `oci:${images.busybox.layoutDir}:latest`, `docker://${host}/library/busybox:latest`]).catch((err: { stderr?: string }) => {
      throw new Error(`skopeo copy to the registry failed — ${SERVER}:\n${err.stderr ?? err}`);
    });
    const pushed = await fetch(`${registry.url}/v2/library/busybox/manifests/latest`);
    expect(pushed.headers.get('docker-content-digest'), `skopeo pushed the layout's manifest unchanged — ${MANIFESTS}`).toBe(images.busybox.manifestDigest);
    const back = path.join(dir, 'back');
    await exec(bin, ['copy', ...tls, `docker://${host}/library/busybox:latest`, `oci:${back}:latest`]).catch((err: { stderr?: string }) => {
      throw new Error(`skopeo copy from the registry failed — ${SERVER}:\n${err.stderr ?? err}`);
    });
    const index = JSON.parse(await fs.readFile(path.join(back, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(index.manifests[0]?.digest, `the image pulled back has the digest it was pushed with — ${MANIFESTS}`).toBe(images.busybox.manifestDigest);
    const { stdout } = await exec(bin, ['inspect', '--tls-verify=false', '--raw', `docker://${host}/library/busybox@${images.busybox.manifestDigest}`]);
    expect(sha256(stdout), `skopeo inspect by digest gets the same bytes — ${MANIFESTS}`).toBe(images.busybox.manifestDigest);
  });
});

