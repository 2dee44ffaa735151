/**
 * The offline base images (fixtures/base-images.ts, `npm run images`):
 * reproducible, readable as OCI layouts, with the rootfs the lessons rely on,
 * and — where runc runs as root — a hello-world that greets.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyLayer } from '../../solutions/image/apply-layer.js';
import { OciLayout } from '../../solutions/image/oci-layout.js';
import type { Image, Manifest } from '../../solutions/image/types.js';
import { BASE_IMAGE_NAMES, BASE_IMAGE_TAG, buildBaseImages, findStaticBusybox } from '../../fixtures/base-images.js';
import type { BaseImages } from '../../fixtures/base-images.js';
import { inCI } from '../../fixtures/ci.js';
import { findExecutable } from '../doctor.js';

const exec = promisify(execFile);
const busybox = await findStaticBusybox().catch(() => undefined);
const runc = (await findExecutable('runc'))?.path;
const isRoot = process.getuid?.() === 0;

async function layerOf(layoutDir: string): Promise<{ layout: OciLayout; manifest: Manifest; config: Image; layerFile: string }> {
  const layout = await OciLayout.open(layoutDir);
  const manifest = await layout.readJson<Manifest>(await layout.resolve(BASE_IMAGE_TAG));
  const config = await layout.readJson<Image>(manifest.config);
  return { layout, manifest, config, layerFile: layout.blobs.blobPath(manifest.layers[0]!.digest) };
}

/** The headers of a tar+gzip file, and the sha256 of its uncompressed bytes. */
async function readLayer(file: string): Promise<{ headers: Map<string, Header>; diffID: string }> {
  const headers = new Map<string, Header>();
  const hash = createHash('sha256');
  const extract = tar.extract();
  const gunzip = createGunzip();
  gunzip.on('data', (chunk: Buffer) => hash.update(chunk));
  const flowing = pipeline(createReadStream(file), gunzip, extract as unknown as NodeJS.WritableStream);
  for await (const entry of extract) {
    headers.set(entry.header.name.replace(/\/$/, ''), entry.header);
    entry.resume();
  }
  await flowing;
  return { headers, diffID: `sha256:${hash.digest('hex')}` };
}

describe.skipIf(busybox === undefined && !inCI)('the offline base images', () => {
  let dir = '';
  let first: BaseImages;
  let second: BaseImages;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-images-'));
    first = await buildBaseImages(path.join(dir, 'a'));
    second = await buildBaseImages(path.join(dir, 'b'));
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('have the same manifest digests when built twice', () => {
    for (const name of BASE_IMAGE_NAMES) {
      expect(second[name].manifestDigest, name).toBe(first[name].manifestDigest);
      expect(second[name].size, name).toBe(first[name].size);
    }
    expect(first.busybox.manifestDigest).not.toBe(first['hello-world'].manifestDigest);
  });

  it('are OCI layouts whose latest tag resolves to a linux image with one verified layer', async () => {
    for (const name of BASE_IMAGE_NAMES) {
      const image = first[name];
      const { layout, manifest, config, layerFile } = await layerOf(image.layoutDir);
      expect((await layout.resolve(image.ref)).digest).toBe(image.manifestDigest);
      expect(manifest.layers).toHaveLength(1);
      expect(config.os).toBe('linux');
      expect(config.architecture).toBe(process.arch === 'x64' ? 'amd64' : process.arch);
      expect(config.config?.Env?.some((e) => e.startsWith('PATH='))).toBe(true);
      expect(config.config?.Cmd).toEqual(name === 'busybox' ? ['sh'] : ['/hello']);
      const { diffID } = await readLayer(layerFile);
      expect(config.rootfs.diff_ids, 'rootfs.diff_ids lists the uncompressed layer digest').toEqual([diffID]);
    }
  });

  it('put bin/busybox, its applet links (bin/sh among them) and the usual folders into busybox', async () => {
    const { headers } = await readLayer((await layerOf(first.busybox.layoutDir)).layerFile);
    expect(headers.get('bin/busybox')?.type).toBe('file');
    expect((headers.get('bin/busybox')?.mode ?? 0) & 0o111).toBe(0o111);
    expect(headers.get('bin/sh')).toMatchObject({ type: 'symlink', linkname: 'busybox' });
    expect(headers.get('tmp')).toMatchObject({ type: 'directory', mode: 0o1777 });
    for (const name of ['etc/passwd', 'etc/group', 'root', 'home', 'var', 'dev', 'proc', 'sys']) expect(headers.has(name), name).toBe(true);
    for (const h of headers.values()) expect([h.uid, h.gid, h.mtime?.toISOString()], h.name).toEqual([0, 0, '2024-01-01T00:00:00.000Z']);
  });

  it('give hello-world an executable /hello run by /bin/busybox, and no applet links', async () => {
    const { headers } = await readLayer((await layerOf(first['hello-world'].layoutDir)).layerFile);
    const hello = headers.get('hello');
    expect(hello?.type).toBe('file');
    expect((hello?.mode ?? 0) & 0o111).toBe(0o111);
    expect(headers.get('bin/busybox')?.type).toBe('file');
    expect(headers.has('bin/sh')).toBe(false);
  });

  it('refuse a missing or dynamically linked busybox with the doctor fix', async () => {
    const out = path.join(dir, 'refused');
    await expect(buildBaseImages(out, { busybox: path.join(dir, 'no-such-busybox') })).rejects.toThrow(/not installed.*Fix: .*busybox/);
    await expect(buildBaseImages(out, { busybox: process.execPath })).rejects.toThrow(/not statically linked.*Fix: /);
  });

  describe.skipIf(!runc || !isRoot)('under runc', () => {
    let bundle = '';
    const id = `dockerlings-hello-${process.pid}`;
    // afterEach, not finally: it also runs when the check times out while awaiting.
    afterEach(async () => {
      if (!bundle) return;
      await exec(runc!, ['--root', path.join(bundle, 'state'), 'delete', '--force', id]).catch(() => undefined);
      await fs.rm(bundle, { recursive: true, force: true });
      bundle = '';
    });

    it('hello-world prints the greeting', async () => {
      bundle = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-hello-'));
      const rootfs = path.join(bundle, 'rootfs');
      await fs.mkdir(rootfs);
      const { layerFile } = await layerOf(first['hello-world'].layoutDir);
      await applyLayer(rootfs, createReadStream(layerFile));
      await exec(runc!, ['spec'], { cwd: bundle });
      const configFile = path.join(bundle, 'config.json');
      const spec = JSON.parse(await fs.readFile(configFile, 'utf8')) as { process: { args: string[]; terminal: boolean } };
      spec.process.args = ['/hello'];
      spec.process.terminal = false;
      await fs.writeFile(configFile, JSON.stringify(spec));
      const state = path.join(bundle, 'state');
      const { stdout } = await exec(runc!, ['--root', state, 'run', '--bundle', bundle, id], { timeout: 20_000 });
      expect(stdout).toContain('Hello from minidocker!');
      expect(stdout).toContain('minidocker run -it busybox sh');
    }, 60_000);
  });
});
