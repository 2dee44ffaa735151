/**
 * What lesson 05's checks (../05-images.test.ts) share: the files they name,
 * the interop tools, temp dirs, a one-layer image written with OciLayout, a
 * layout read back, sample manifests and configs, and expectations about
 * validation errors and atomic file replacement.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { expect } from 'vitest';
import { InvalidParameterError } from '#kata/errdefs.js';
import type { Digest } from '#kata/image/digest.js';
import { OCI_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from '#kata/image/media-types.js';
import { OciLayout } from '#kata/image/oci-layout.js';
import type { Descriptor, Image, Manifest } from '#kata/image/types.js';
import { ValidationError, validateImage, validateManifest } from '#kata/image/validate.js';
import { prerequisite } from '../../support/prereq.js';
import { describeError } from '../../support/outcomes.js';
import { sha256, tarOf } from '../../support/bytes.js';
import type { TarEntry } from '../../support/bytes.js';
import { TestScope } from '../../support/scope.js';

export const REF = 'src/image/reference.ts';
export const VALIDATE = 'src/image/validate.ts';
export const LAYOUT = 'src/image/oci-layout.ts';
export const STORE = 'src/image/image-store.ts';
export const ATOMIC = 'src/atomic-file.ts';

export const skopeo = prerequisite('skopeo', 'apt-get install skopeo');
export const umoci = prerequisite('umoci', 'apt-get install umoci');

/** What a check creates; the test file's afterEach cleans it up. */
export const scope = new TestScope();

/** A new temp dir, removed after the check. */
export function tempDir(): Promise<string> {
  return scope.tempDir('dockerlings-05-');
}

export const fakeDigest = (c: string) => `sha256:${c.repeat(64)}` as Digest;

export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}


/** Runs a tool; resolves with its stdout, rejects with its stderr in the message. */
export function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 20_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** The few small files of {@link tinyImage}'s layer. */
const GREET_FILES: TarEntry[] = [
  { name: 'bin/', type: 'directory', mode: 0o755 },
  { name: 'bin/greet', mode: 0o755, content: '#!/bin/sh\necho hello from lesson 05\n' },
  { name: 'etc/', type: 'directory', mode: 0o755 },
  { name: 'etc/hostname', mode: 0o644, content: 'kata\n' },
];

/** Builds a one-layer image in a layout with OciLayout and tags it. */
export async function tinyImage(dir: string, ref: string) {
  const layerTar = await tarOf(GREET_FILES, { mtime: new Date('2024-01-01T00:00:00Z') });
  const gz = zlib.gzipSync(layerTar);
  const layout = await OciLayout.init(dir);
  const layer = await layout.blobs.put(Readable.from([gz]), { mediaType: OCI_LAYER_TAR_GZIP });
  const image: Image = {
    created: '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/bin/greet'], Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    history: [{ created: '2024-01-01T00:00:00Z', created_by: 'lesson 05' }],
  };
  const config = await layout.putJson(image, OCI_CONFIG);
  const layers: Descriptor[] = [{ mediaType: OCI_LAYER_TAR_GZIP, digest: layer.digest, size: layer.size }];
  const manifest: Manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers };
  const target = await layout.putJson(manifest, OCI_MANIFEST);
  await layout.tag(ref, target);
  return { layout, target, config, manifest, layerDigest: sha256(gz), diffID: sha256(layerTar) };
}

/** Reads a layout written by another tool through OciLayout: ref → manifest → config, all validated. */
export async function readBack(dir: string, ref: string, tool: string) {
  const layout = await OciLayout.open(dir);
  const target = await layout.resolve(ref);
  expect(target.mediaType, `${tool} tagged an OCI manifest as ${ref} in index.json (${LAYOUT}: OciLayout.resolve)`).toBe(OCI_MANIFEST);
  const manifest = validateManifest(await layout.readJson(target));
  const image = validateImage(await layout.readJson(manifest.config));
  return { layout, target, manifest, image };
}

export const descriptor = (mediaType: string, c: string, size = 100): Descriptor => ({ mediaType, digest: fakeDigest(c), size });

export function ociManifest(): Manifest {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: descriptor(OCI_CONFIG, 'c', 300),
    layers: [descriptor(OCI_LAYER_TAR_GZIP, 'a', 1000), descriptor(OCI_LAYER_TAR_GZIP, 'b', 2000)],
    annotations: { 'org.opencontainers.image.title': 'kata' },
  };
}

export function ociImage(): Image {
  return {
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/', Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } },
    rootfs: { type: 'layers', diff_ids: [fakeDigest('1'), fakeDigest('2')] },
    history: [{ created_by: '/bin/sh -c #(nop) ADD file', empty_layer: false }],
  };
}

/** Expects `fn` to throw a ValidationError for `field`, its message starting with `field:`. */
export function expectInvalid(fn: () => unknown, field: string, what: string): void {
  const err = thrown(fn);
  expect(err, `${what} must throw a ValidationError naming "${field}"; got ${describeError(err)} (${VALIDATE})`).toBeInstanceOf(
    ValidationError,
  );
  expect((err as ValidationError).field, `${what}: the error's field must be the JSON path of the bad value (${VALIDATE})`).toBe(field);
  expect((err as Error).message.startsWith(`${field}: `), `${what}: the message starts with "${field}: " (${VALIDATE})`).toBe(true);
  expect(err, `a ValidationError is an InvalidParameterError, a 400 for the daemon (${VALIDATE})`).toBeInstanceOf(InvalidParameterError);
}

/**
 * Runs `change` and expects it to replace `file` with a new one (rename), not
 * to rewrite it in place: a hard link to the old file must keep the old content.
 */
export async function expectReplaced(file: string, change: () => Promise<unknown>, message: string): Promise<void> {
  const keep = path.join(await tempDir(), 'before');
  await fs.link(file, keep);
  const old = await fs.readFile(keep, 'utf8');
  await change();
  const now = await fs.readFile(file, 'utf8');
  expect(now, `${message}: the change did not reach the file at all`).not.toBe(old);
  expect(await fs.readFile(keep, 'utf8'), message).toBe(old);
}

export async function strayFiles(dir: string, keep: string[]): Promise<string[]> {
  return (await fs.readdir(dir)).filter((name) => !keep.includes(name));
}
