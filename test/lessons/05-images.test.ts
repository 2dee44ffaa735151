/**
 * Lesson 05 — image store: images. Unit checks of references and validation,
 * layouts and image records in temp dirs, and interop with skopeo and umoci
 * where they are installed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidParameterError, NotFoundError } from '#kata/errdefs.js';
import type { Digest } from '#kata/image/digest.js';
import { DigestMismatchError, SizeMismatchError } from '#kata/image/errors.js';
import { CorruptImageStoreError, ImageNotFoundError, ImageStore } from '#kata/image/image-store.js';
import { DOCKER_CONFIG, DOCKER_LAYER_TAR_GZIP, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_CONFIG, OCI_INDEX, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from '#kata/image/media-types.js';
import { IMAGE_LAYOUT_VERSION, InvalidLayoutError, OciLayout, RefNotFoundError } from '#kata/image/oci-layout.js';
import { InvalidReferenceError, familiarName, familiarString, normalize, parseReference } from '#kata/image/reference.js';
import type { ReferenceRule } from '#kata/image/reference.js';
import { REF_NAME_ANNOTATION } from '#kata/image/types.js';
import type { Image, Index, Manifest, Platform } from '#kata/image/types.js';
import { validateImage, validateIndex, validateManifest } from '#kata/image/validate.js';
import { requireTool } from '../support/prereq.js';
import { describeError, failureOf } from '../support/outcomes.js';
import { sha256 } from '../support/bytes.js';
import {
  REF,
  VALIDATE,
  LAYOUT,
  STORE,
  ATOMIC,
  skopeo,
  umoci,
  tempDir,
  fakeDigest,
  thrown,
  run,
  tinyImage,
  readBack,
  descriptor,
  ociManifest,
  ociImage,
  expectInvalid,
  expectReplaced,
  strayFiles,
  scope,
} from './05-images/helpers.js';

afterEach(() => scope.cleanup());

describe('lesson 05 — image store: images', () => {
  it('parses and normalises references like docker', () => {
    const d = fakeDigest('e');
    const cases: Array<[input: string, normalized: string, domain: string, path: string, tag: string | undefined, digest?: Digest]> = [
      ['busybox', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest'],
      ['user/app', 'docker.io/user/app:latest', 'docker.io', 'user/app', 'latest'],
      ['localhost:5000/a/b:tag', 'localhost:5000/a/b:tag', 'localhost:5000', 'a/b', 'tag'],
      ['127.0.0.1:5000/x', '127.0.0.1:5000/x:latest', '127.0.0.1:5000', 'x', 'latest'],
      [`busybox@${d}`, `docker.io/library/busybox@${d}`, 'docker.io', 'library/busybox', undefined, d],
      [`busybox:1.36@${d}`, `docker.io/library/busybox:1.36@${d}`, 'docker.io', 'library/busybox', '1.36', d],
      ['index.docker.io/library/busybox:1.36', 'docker.io/library/busybox:1.36', 'docker.io', 'library/busybox', '1.36'],
      ['docker.io/busybox', 'docker.io/library/busybox:latest', 'docker.io', 'library/busybox', 'latest'],
      ['localhost/app', 'localhost/app:latest', 'localhost', 'app', 'latest'],
      ['ghcr.io/org/tools/app:v1.2.3', 'ghcr.io/org/tools/app:v1.2.3', 'ghcr.io', 'org/tools/app', 'v1.2.3'],
      ['my-org/app__v2.x:Latest_1', 'docker.io/my-org/app__v2.x:Latest_1', 'docker.io', 'my-org/app__v2.x', 'Latest_1'],
      ['[::1]:5000/x', '[::1]:5000/x:latest', '[::1]:5000', 'x', 'latest'],
    ];
    for (const [input, normalized, domain, repoPath, tag, digest] of cases) {
      const ref = parseReference(input);
      expect(
        { domain: ref.domain, path: ref.path, tag: ref.tag, digest: ref.digest },
        `parseReference(${JSON.stringify(input)}): domain, path, tag and digest as docker reads them (${REF})`,
      ).toEqual({ domain, path: repoPath, tag, digest });
      expect(normalize(input), `normalize(${JSON.stringify(input)}) (${REF}: formatReference)`).toBe(normalized);
    }
    expect(parseReference('busybox@' + d).tag, `a digest reference gets no default tag (${REF}: parseReference)`).toBeUndefined();
  });

  it('familiar names drop docker.io and library/, as docker prints them', () => {
    const d = fakeDigest('f');
    const cases: Array<[input: string, name: string, full: string]> = [
      ['busybox', 'busybox', 'busybox:latest'],
      ['docker.io/library/busybox:1.36', 'busybox', 'busybox:1.36'],
      ['user/app', 'user/app', 'user/app:latest'],
      ['docker.io/library/nested/app:v1', 'library/nested/app', 'library/nested/app:v1'],
      ['localhost:5000/a/b:tag', 'localhost:5000/a/b', 'localhost:5000/a/b:tag'],
      [`busybox@${d}`, 'busybox', `busybox@${d}`],
      [`user/app:v2@${d}`, 'user/app', `user/app:v2@${d}`],
    ];
    for (const [input, name, full] of cases) {
      const ref = parseReference(input);
      expect(familiarName(ref), `familiarName of ${input} (${REF})`).toBe(name);
      expect(familiarString(ref), `familiarString of ${input} (${REF})`).toBe(full);
    }
  });

  it('invalid references are rejected with the rule they break', () => {
    const cases: Array<[input: string, rule: ReferenceRule, message?: RegExp]> = [
      ['Busybox', 'uppercase', /must be lowercase/],
      ['user/App:v1', 'uppercase', /must be lowercase/],
      ['', 'empty'],
      ['a'.repeat(64), 'identifier', /64-byte hexadecimal/],
      [`busybox:${'t'.repeat(129)}`, 'tag'],
      ['busybox:bad*tag', 'tag'],
      ['busybox:.hidden', 'tag'],
      ['busybox:', 'tag'],
      ['busybox@sha256:abc', 'digest'],
      [`busybox@sha256:${'A'.repeat(64)}`, 'digest'],
      [`busybox@md5:${'a'.repeat(32)}`, 'digest'],
      ['my_-app', 'path-component'],
      ['user//app', 'path-component'],
      ['user/-app', 'path-component'],
      ['user/app_', 'path-component'],
      ['exa_mple.com/app', 'domain'],
      [`x/${'a'.repeat(254)}`, 'too-long', /255/],
      ['a'.repeat(255), 'too-long', /255/],
    ];
    for (const [input, rule, message] of cases) {
      const shown = input.length > 40 ? `${input.slice(0, 20)}…(${input.length} chars)` : JSON.stringify(input);
      const err = thrown(() => parseReference(input));
      expect(err, `parseReference(${shown}) must throw an InvalidReferenceError; got ${describeError(err)} (${REF})`).toBeInstanceOf(
        InvalidReferenceError,
      );
      expect((err as InvalidReferenceError).rule, `parseReference(${shown}) breaks the "${rule}" rule (${REF})`).toBe(rule);
      expect(err, `InvalidReferenceError is an InvalidParameterError: the daemon answers 400 (${REF})`).toBeInstanceOf(InvalidParameterError);
      if (message) expect((err as Error).message, `the message for ${shown} says why, in docker's words (${REF})`).toMatch(message);
    }
    expect(parseReference(`x/${'a'.repeat(253)}`).path, `a path of exactly 255 characters is allowed (${REF})`).toHaveLength(255);
  });

  it('manifests and indexes are validated, naming the bad field', () => {
    const good = ociManifest();
    expect(validateManifest(good), `a valid OCI manifest is returned as it is (${VALIDATE}: validateManifest)`).toEqual(ociManifest());
    const withoutType = { ...ociManifest(), mediaType: undefined };
    expect(() => validateManifest(withoutType), `mediaType is optional in an OCI manifest (${VALIDATE})`).not.toThrow();

    const m = (change: (m: Record<string, unknown> & Manifest) => void) => {
      const copy = ociManifest() as Record<string, unknown> & Manifest;
      change(copy);
      return () => validateManifest(copy);
    };
    expectInvalid(m((x) => Object.assign(x, { schemaVersion: 1 })), 'schemaVersion', 'schemaVersion 1');
    expectInvalid(m((x) => Object.assign(x, { mediaType: OCI_INDEX })), 'mediaType', 'an index media type in a manifest');
    expectInvalid(m((x) => Object.assign(x.layers[1]!, { digest: 'sha256:xyz' })), 'layers[1].digest', 'a bad layer digest');
    expectInvalid(m((x) => Object.assign(x.layers[0]!, { size: -1 })), 'layers[0].size', 'a negative layer size');
    expectInvalid(m((x) => Object.assign(x.layers[1]!, { mediaType: 'text/plain' })), 'layers[1].mediaType', 'a layer that is not a layer type');
    expectInvalid(m((x) => Object.assign(x.config, { mediaType: OCI_LAYER_TAR_GZIP })), 'config.mediaType', 'a config of a layer type');
    expectInvalid(m((x) => Object.assign(x.config, { size: '300' })), 'config.size', 'a size given as a string');
    expectInvalid(m((x) => delete (x as Partial<Manifest>).layers), 'layers', 'a manifest without layers');
    expect((thrown(m((x) => Object.assign(x.layers[1]!, { digest: 'md5:1' }))) as Error | undefined)?.message).toBe(
      'layers[1].digest: not a valid digest',
    );

    const index: Index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { ...descriptor(OCI_MANIFEST, 'd', 500), platform: { architecture: 'amd64', os: 'linux' } },
        { ...descriptor(OCI_MANIFEST, 'e', 500), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
      ],
    };
    expect(validateIndex(index), `a valid OCI index is returned as it is (${VALIDATE}: validateIndex)`).toEqual(index);
    const i = (change: (i: Index) => void) => {
      const copy = structuredClone(index);
      change(copy);
      return () => validateIndex(copy);
    };
    expectInvalid(i((x) => delete (x.manifests[1]!.platform as Partial<Platform>).os), 'manifests[1].platform.os', 'a platform without os');
    expectInvalid(i((x) => Object.assign(x.manifests[0]!, { mediaType: OCI_CONFIG })), 'manifests[0].mediaType', 'an index entry that is a config');
    expectInvalid(i((x) => Object.assign(x, { mediaType: OCI_MANIFEST })), 'mediaType', 'a manifest media type on an index');
    expectInvalid(i((x) => Object.assign(x, { schemaVersion: '2' })), 'schemaVersion', 'schemaVersion as a string');
  });

  it('image configs are validated, naming the bad field', () => {
    expect(validateImage(ociImage()), `a valid image config is returned as it is (${VALIDATE}: validateImage)`).toEqual(ociImage());
    const c = (change: (c: Image & Record<string, unknown>) => void) => {
      const copy = ociImage() as Image & Record<string, unknown>;
      change(copy);
      return () => validateImage(copy);
    };
    expectInvalid(c((x) => Object.assign(x.rootfs, { type: 'layer' })), 'rootfs.type', 'rootfs.type "layer"');
    expect((thrown(c((x) => Object.assign(x.rootfs, { type: 'layer' }))) as Error | undefined)?.message).toBe('rootfs.type: must be "layers"');
    expectInvalid(c((x) => Object.assign(x.rootfs.diff_ids, { 1: 'sha256:nope' })), 'rootfs.diff_ids[1]', 'a bad diff ID');
    expectInvalid(c((x) => delete (x as Partial<Image>).rootfs), 'rootfs', 'a config without rootfs');
    expectInvalid(c((x) => delete (x as Partial<Image>).os), 'os', 'a config without os');
    expectInvalid(c((x) => Object.assign(x.config!, { Env: ['A=1', 2] })), 'config.Env[1]', 'a number in Env');
    expectInvalid(c((x) => Object.assign(x.config!, { Cmd: 'sh -c true' })), 'config.Cmd', 'Cmd as a string');
    expectInvalid(c((x) => Object.assign(x.history![0]!, { empty_layer: 'yes' })), 'history[0].empty_layer', 'empty_layer as a string');
  });

  it('Docker schema 2 manifests, manifest lists and configs are accepted', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: descriptor(DOCKER_CONFIG, 'c', 1470),
      layers: [descriptor(DOCKER_LAYER_TAR_GZIP, 'a', 2_000_000)],
    };
    expect(validateManifest(manifest), `a Docker v2 schema 2 manifest is an image manifest (${VALIDATE}: validateManifest)`).toEqual(manifest);
    const list = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST_LIST,
      manifests: [{ ...descriptor(DOCKER_MANIFEST, 'd', 527), platform: { architecture: 'arm', os: 'linux', variant: 'v7' } }],
    };
    expect(validateIndex(list), `a Docker manifest list is an index (${VALIDATE}: validateIndex)`).toEqual(list);
    // Docker writes Go's nil slices and maps as null, and carries fields OCI does not know.
    const config = {
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      docker_version: '20.10.7',
      container_config: { Hostname: 'abc', Cmd: ['/bin/sh', '-c', '#(nop) CMD ["sh"]'] },
      config: { Env: ['PATH=/bin'], Cmd: ['sh'], Entrypoint: null, Labels: null, Volumes: null, OnBuild: null, Image: 'sha256:1' },
      rootfs: { type: 'layers', diff_ids: [fakeDigest('1')] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) CMD ["sh"]', empty_layer: true }],
    };
    expect(validateImage(config), `a Docker image config with null fields is valid (${VALIDATE}: validateImage)`).toEqual(config);
    expectInvalid(() => validateManifest(list), 'mediaType', 'a manifest list given as a manifest');
    expectInvalid(() => validateIndex(manifest), 'mediaType', 'a manifest given as an index');
  });

  it('an OCI image layout is written: oci-layout, index.json with the ref name, blobs under blobs/sha256', async () => {
    const dir = path.join(await tempDir(), 'not', 'yet', 'there');
    const layout = await OciLayout.init(dir);
    expect(layout.dir, `OciLayout.dir is the directory given (${LAYOUT})`).toBe(dir);
    const marker = JSON.parse(await fs.readFile(path.join(dir, 'oci-layout'), 'utf8').catch(() => 'null')) as unknown;
    expect(marker, `init writes oci-layout as {"imageLayoutVersion":"1.0.0"} (${LAYOUT}: OciLayout.init)`).toEqual({
      imageLayoutVersion: IMAGE_LAYOUT_VERSION,
    });
    const empty = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8').catch(() => 'null')) as Index | null;
    expect(empty?.schemaVersion, `init writes an index.json with schemaVersion 2 (${LAYOUT}: OciLayout.init)`).toBe(2);
    expect(empty?.manifests, `a new layout's index.json has no manifests (${LAYOUT}: OciLayout.init)`).toEqual([]);

    const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } };
    const configDesc = await layout.putJson(config, OCI_CONFIG);
    const configBytes = JSON.stringify(config);
    expect(configDesc, `putJson returns the descriptor of JSON.stringify(value) (${LAYOUT}: OciLayout.putJson)`).toEqual({
      mediaType: OCI_CONFIG,
      digest: sha256(configBytes),
      size: Buffer.byteLength(configBytes),
    });
    const blobFile = path.join(dir, 'blobs', 'sha256', sha256(configBytes).slice('sha256:'.length));
    expect(await fs.readFile(blobFile, 'utf8').catch(() => undefined), `the blob is stored at blobs/sha256/<hex> (${LAYOUT})`).toBe(
      configBytes,
    );

    const manifest: Manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers: [] };
    const target = await layout.putJson(manifest, OCI_MANIFEST);
    await layout.tag('v1', target);
    const index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as Index;
    expect(index.manifests, `tag adds one entry annotated ${REF_NAME_ANNOTATION}: "v1" (${LAYOUT}: OciLayout.tag)`).toEqual([
      { ...target, annotations: { [REF_NAME_ANNOTATION]: 'v1' } },
    ]);

    const reopened = await OciLayout.open(dir);
    const resolved = await reopened.resolve('v1');
    expect(resolved.digest, `resolve("v1") finds the manifest tagged v1 (${LAYOUT}: OciLayout.resolve)`).toBe(target.digest);
    expect(await reopened.readJson(resolved), `readJson gives back the manifest (${LAYOUT}: OciLayout.readJson)`).toEqual(manifest);
    expect((await reopened.index()).manifests, `index() parses index.json (${LAYOUT}: OciLayout.index)`).toHaveLength(1);
    const again = await OciLayout.init(dir);
    expect((await again.index()).manifests, `init on an existing layout opens it and keeps its tags (${LAYOUT}: OciLayout.init)`).toHaveLength(1);
  });

  it('tagging a ref again replaces its entry, atomically; an unknown ref is a typed not-found', async () => {
    const dir = await tempDir();
    const layout = await OciLayout.init(dir);
    const config = await layout.putJson({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }, OCI_CONFIG);
    const m1 = await layout.putJson({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [] }, OCI_MANIFEST);
    const m2 = await layout.putJson({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [], annotations: { n: '2' } }, OCI_MANIFEST);
    await layout.tag('v1', m1);
    await layout.tag('v2', m1);
    await expectReplaced(
      path.join(dir, 'index.json'),
      () => layout.tag('v1', m2),
      `index.json must be replaced by rename(2), not rewritten in place: a reader could see half a file (${ATOMIC}: writeFileAtomic)`,
    );
    const refs = (await layout.index()).manifests.map((d) => [d.annotations?.[REF_NAME_ANNOTATION], d.digest]);
    expect(refs.sort(), `tagging v1 again replaces its entry and leaves v2 alone (${LAYOUT}: OciLayout.tag)`).toEqual([
      ['v1', m2.digest],
      ['v2', m1.digest],
    ]);

    await Promise.all(['a', 'b', 'c', 'd'].map((ref) => layout.tag(ref, m1)));
    const all = (await layout.index()).manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION]).sort();
    expect(all, `four tags at once must all land in index.json: one read-change-write at a time (${LAYOUT}: OciLayout.tag)`).toEqual([
      'a',
      'b',
      'c',
      'd',
      'v1',
      'v2',
    ]);
    const stray = await strayFiles(dir, ['oci-layout', 'index.json', 'blobs', 'ingest']);
    expect(stray, `no temp files are left in the layout (${ATOMIC}: writeFileAtomic)`).toEqual([]);

    const err = await failureOf(layout.resolve('nope'));
    expect(err, `resolve of an unknown ref throws RefNotFoundError; got ${describeError(err)} (${LAYOUT}: OciLayout.resolve)`).toBeInstanceOf(
      RefNotFoundError,
    );
    expect(err, `RefNotFoundError is a NotFoundError (404) (${LAYOUT})`).toBeInstanceOf(NotFoundError);
    expect((err as Error).message, `the message names the ref (${LAYOUT})`).toContain('"nope"');
  });

  it('readJson verifies size and digest, and open refuses a directory that is not a layout', async () => {
    const dir = await tempDir();
    const layout = await OciLayout.init(dir);
    const desc = await layout.putJson({ hello: 'world' }, 'application/json');
    expect(await layout.readJson(desc), `readJson parses the blob (${LAYOUT}: OciLayout.readJson)`).toEqual({ hello: 'world' });
    const blobFile = path.join(dir, 'blobs', 'sha256', desc.digest.slice('sha256:'.length));
    await fs.writeFile(blobFile, JSON.stringify({ hello: 'WORLD' }));
    const tampered = await failureOf(layout.readJson(desc));
    expect(
      tampered,
      `a blob whose bytes changed on disk must fail with DigestMismatchError; got ${describeError(tampered)} (${LAYOUT}: OciLayout.readJson)`,
    ).toBeInstanceOf(DigestMismatchError);
    const short = await failureOf(layout.readJson({ ...desc, size: desc.size + 5 }));
    expect(short, `a blob shorter than its descriptor's size fails with SizeMismatchError (${LAYOUT}: OciLayout.readJson)`).toBeInstanceOf(
      SizeMismatchError,
    );

    const notLayout = await tempDir();
    const missing = await failureOf(OciLayout.open(notLayout));
    expect(missing, `open() of a directory without oci-layout throws InvalidLayoutError (${LAYOUT}: OciLayout.open)`).toBeInstanceOf(
      InvalidLayoutError,
    );
    await fs.writeFile(path.join(notLayout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '2.0.0' }));
    await fs.writeFile(path.join(notLayout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [] }));
    const version = await failureOf(OciLayout.open(notLayout));
    expect(version, `open() refuses imageLayoutVersion 2.0.0 with InvalidLayoutError (${LAYOUT}: OciLayout.open)`).toBeInstanceOf(
      InvalidLayoutError,
    );
    expect((version as Error).message, `the message names the version found (${LAYOUT})`).toContain('2.0.0');
  });

  it('image records: tag, get by a short name, list and untag', async () => {
    const store = new ImageStore(path.join(await tempDir(), 'images'));
    expect(await store.list(), `a new store lists nothing (${STORE}: ImageStore.list)`).toEqual([]);
    const one = descriptor(OCI_MANIFEST, '1', 400);
    const two = descriptor(DOCKER_MANIFEST_LIST, '2', 800);
    const record = await store.tag('busybox', one);
    expect(record.name, `tag stores the normalised name (${STORE}: ImageStore.tag)`).toBe('docker.io/library/busybox:latest');
    expect(record.target, `the record points at the target descriptor (${STORE})`).toEqual(one);
    for (const name of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', 'index.docker.io/library/busybox']) {
      expect((await store.get(name)).target.digest, `get(${JSON.stringify(name)}) normalises the name first (${STORE}: ImageStore.get)`).toBe(
        one.digest,
      );
    }
    await store.tag('localhost:5000/app:v1', two);
    await store.tag('busybox:latest', two);
    const list = await store.list();
    expect(
      list.map((r) => [r.name, r.target.digest]),
      `list() has one record per name, sorted by name; re-tagging busybox replaced its target (${STORE}: ImageStore.list)`,
    ).toEqual([
      ['docker.io/library/busybox:latest', two.digest],
      ['localhost:5000/app:v1', two.digest],
    ]);
    const removed = await store.untag('busybox');
    expect(removed.name, `untag returns the record it removed (${STORE}: ImageStore.untag)`).toBe('docker.io/library/busybox:latest');
    const gone = await failureOf(store.get('busybox'));
    expect(gone, `get of an untagged name throws ImageNotFoundError; got ${describeError(gone)} (${STORE}: ImageStore.get)`).toBeInstanceOf(
      ImageNotFoundError,
    );
    expect(gone, `ImageNotFoundError is a NotFoundError (404) (${STORE})`).toBeInstanceOf(NotFoundError);
    expect((gone as Error).message, `docker's message: "No such image: busybox:latest" (${STORE})`).toBe('No such image: busybox:latest');
    expect(await failureOf(store.untag('nosuch')), `untag of a missing name throws ImageNotFoundError (${STORE})`).toBeInstanceOf(ImageNotFoundError);
    expect(await failureOf(store.tag('Busybox', one)), `tag refuses an invalid name (${STORE}: ImageStore.tag)`).toBeInstanceOf(
      InvalidReferenceError,
    );
    expect((await store.list()).map((r) => r.name), `only localhost:5000/app:v1 is left (${STORE})`).toEqual(['localhost:5000/app:v1']);
  });

  it('image records are written atomically and survive a re-open', async () => {
    const root = await tempDir();
    const store = new ImageStore(root);
    await store.tag('busybox', descriptor(OCI_MANIFEST, '1', 400));
    const file = path.join(root, 'images.json');
    const exists = await fs.stat(file).then(() => true, () => false);
    expect(exists, `the records are kept in ${file} (${STORE}: ImageStore.change)`).toBe(true);
    await expectReplaced(
      file,
      () => store.tag('user/app:v1', descriptor(OCI_MANIFEST, '2', 400)),
      `images.json must be replaced by rename(2), never rewritten in place (${ATOMIC}: writeFileAtomic, ${STORE})`,
    );
    await Promise.all(['a', 'b', 'c'].map((t) => store.tag(`user/app:${t}`, descriptor(OCI_MANIFEST, '3', 400))));
    expect(await strayFiles(root, ['images.json']), `no temp files are left next to images.json (${ATOMIC})`).toEqual([]);

    const reopened = new ImageStore(root);
    expect(
      (await reopened.list()).map((r) => r.name),
      `a new ImageStore on the same root reads every record back, including three tagged at once (${STORE}: ImageStore.load)`,
    ).toEqual(['docker.io/library/busybox:latest', 'docker.io/user/app:a', 'docker.io/user/app:b', 'docker.io/user/app:c', 'docker.io/user/app:v1']);
    expect((await reopened.get('user/app:v1')).target.digest, `records keep their targets across a re-open (${STORE})`).toBe(fakeDigest('2'));
  });

  it('a corrupt images.json is reported, never emptied', async () => {
    const root = await tempDir();
    const file = path.join(root, 'images.json');
    for (const content of ['{"images": [', '{"images": {}}', '{"images": [{"name": 7}]}', '{"images": [{"name": "x", "target": {}}]}']) {
      await fs.writeFile(file, content);
      const store = new ImageStore(root);
      const listed = await failureOf(store.list());
      expect(listed, `list() on ${content} must throw CorruptImageStoreError; got ${describeError(listed)} (${STORE}: ImageStore.load)`).toBeInstanceOf(
        CorruptImageStoreError,
      );
      expect((listed as Error).message, `the message names the file (${STORE})`).toContain(file);
      const tagged = await failureOf(store.tag('busybox', descriptor(OCI_MANIFEST, '1', 400)));
      expect(tagged, `tag() on a corrupt store fails too, instead of starting afresh (${STORE}: ImageStore.change)`).toBeInstanceOf(
        CorruptImageStoreError,
      );
      expect(await fs.readFile(file, 'utf8'), `the corrupt file is left exactly as it was (${STORE})`).toBe(content);
    }
  });

  it.skipIf(skopeo.skip)('skopeo inspect oci:DIR:TAG reads a layout written by OciLayout', async () => {
    const bin = requireTool(skopeo);
    const dir = await tempDir();
    const built = await tinyImage(dir, 'v1');
    const info = JSON.parse(await run(bin, ['inspect', `oci:${dir}:v1`])) as Record<string, unknown>;
    expect(info.Digest, `skopeo sees the manifest OciLayout tagged v1 (${LAYOUT}: OciLayout.tag)`).toBe(built.target.digest);
    expect(info.Layers, `skopeo sees the one gzip layer (${LAYOUT})`).toEqual([built.layerDigest]);
    expect([info.Os, info.Architecture], `skopeo reads os and architecture from the config blob (${LAYOUT}: OciLayout.putJson)`).toEqual([
      'linux',
      'amd64',
    ]);
    const raw = await run(bin, ['inspect', '--raw', `oci:${dir}:v1`]);
    expect(sha256(raw), `the raw manifest's sha256 is the digest index.json names (${LAYOUT}: OciLayout.putJson)`).toBe(built.target.digest);
    const config = JSON.parse(await run(bin, ['inspect', '--config', `oci:${dir}:v1`])) as Image;
    expect(config.rootfs.diff_ids, `skopeo reads the config's diff_ids (${LAYOUT})`).toEqual([built.diffID]);
  });

  it.skipIf(skopeo.skip)('OciLayout reads a layout written by skopeo copy', async () => {
    const bin = requireTool(skopeo);
    const base = await tempDir();
    const built = await tinyImage(path.join(base, 'ours'), 'v1');
    const theirs = path.join(base, 'theirs');
    await run(bin, ['--insecure-policy', 'copy', `oci:${path.join(base, 'ours')}:v1`, `oci:${theirs}:tag2`]);
    const { layout, target, manifest, image } = await readBack(theirs, 'tag2', 'skopeo copy');
    expect(target.digest, `skopeo copied the manifest unchanged (${LAYOUT}: OciLayout.resolve)`).toBe(built.target.digest);
    expect(manifest.layers.map((l) => l.digest), `the manifest lists the one layer (${VALIDATE})`).toEqual([built.layerDigest]);
    expect(image.rootfs.diff_ids, `the config's diff_ids survive the copy (${LAYOUT}: OciLayout.readJson)`).toEqual([built.diffID]);
    expect((await layout.blobs.stat(built.layerDigest)).size, `the layer blob is in the copy (${LAYOUT})`).toBe(manifest.layers[0]?.size);

    // skopeo converts to Docker schema 2 for the dir: transport: the same image, Docker media types.
    const v2s2 = path.join(base, 'v2s2');
    await run(bin, ['--insecure-policy', 'copy', '--format', 'v2s2', `oci:${path.join(base, 'ours')}:v1`, `dir:${v2s2}`]);
    const docker = validateManifest(JSON.parse(await fs.readFile(path.join(v2s2, 'manifest.json'), 'utf8')));
    expect(docker.mediaType, `skopeo wrote a Docker schema 2 manifest, which validateManifest accepts (${VALIDATE})`).toBe(DOCKER_MANIFEST);
    const dockerConfig = await fs.readFile(path.join(v2s2, docker.config.digest.slice('sha256:'.length)), 'utf8');
    expect(validateImage(JSON.parse(dockerConfig)).rootfs.diff_ids, `its config validates too (${VALIDATE})`).toEqual([built.diffID]);
  });

  it.skipIf(umoci.skip)('OciLayout reads a layout written by umoci, and umoci lists a layout OciLayout wrote', async () => {
    const bin = requireTool(umoci);
    const base = await tempDir();
    const theirs = path.join(base, 'umoci');
    await run(bin, ['init', '--layout', theirs]);
    await run(bin, ['new', '--image', `${theirs}:t`]);
    const { manifest, image } = await readBack(theirs, 't', 'umoci new');
    expect(manifest.layers, `umoci new makes an image without layers (${VALIDATE})`).toEqual([]);
    expect(image.rootfs, `umoci's config has rootfs {type: "layers", diff_ids: []} (${VALIDATE}: validateImage)`).toEqual({
      type: 'layers',
      diff_ids: [],
    });

    const ours = path.join(base, 'ours');
    await tinyImage(ours, 'v1');
    const tags = (await run(bin, ['ls', '--layout', ours])).split('\n').filter(Boolean);
    expect(tags, `umoci ls lists the ref OciLayout tagged (${LAYOUT}: OciLayout.tag)`).toEqual(['v1']);
  });
});
