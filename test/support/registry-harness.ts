/**
 * Runs `minidocker-registry` for the registry lessons (07 server, 08 client,
 * 09 the daemon's images API) and pushes test images into it over real HTTP.
 *
 * ```ts
 * const harness = new RegistryHarness();
 * afterEach(() => harness.cleanup());
 *
 * it('pulls busybox', async () => {
 *   const registry = await harness.startReference();          // solutions/, in this process
 *   const image = makeTestImage();
 *   await pushTestImage(registry.url, 'library/busybox', 'latest', image);
 *   // … point the client under test at registry.host …
 * });
 * ```
 *
 * Two ways to run a registry:
 * - {@link RegistryHarness.startProcess}: `node bin/minidocker-registry.js --listen 127.0.0.1:0 --root …`
 *   as a child process of the tree `DOCKERLINGS_IMPL` selects (or the reference with `impl: 'reference'`);
 *   it can be killed with SIGKILL and restarted on the same root.
 * - {@link RegistryHarness.startReference}: the reference registry (solutions/) in this process, so
 *   the lessons after 07 are graded against a registry known to be right.
 *
 * Everything started or created is stopped (by pid) and removed in {@link RegistryHarness.cleanup}.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../../kata/impl.js';
import { startRegistry as startReferenceRegistry } from '../../solutions/registry/server.js';
import type { Registry, RegistryOptions } from '../../solutions/registry/server.js';

/** How a registry process ended. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or finished) `minidocker-registry` child process. */
export interface RegistryProcess {
  pid: number;
  /** `http://127.0.0.1:<port>`, read from its "listening on" line. */
  url: string;
  /** `127.0.0.1:<port>`, for image references. */
  host: string;
  root: string;
  child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<ExitStatus>;
  /** Sends a signal (by pid); a no-op once it has exited. */
  signal(signal: NodeJS.Signals): void;
}

/** Options of {@link RegistryHarness.startProcess}. */
export interface StartProcessOptions {
  /** The storage root; a new temp dir's `root` by default. Pass the same root to restart on it. */
  root?: string;
  /** Extra arguments, e.g. `['--htpasswd', file]`. */
  args?: string[];
  /** Replaces `--listen 127.0.0.1:0`. */
  listen?: string;
  /** `reference` runs solutions/ whatever DOCKERLINGS_IMPL says; default: the selected tree. */
  impl?: 'selected' | 'reference';
  /** Wait for the "listening on" line (default true); false returns at once (url and host are then ''). */
  waitForListening?: boolean;
  /** How long to wait for it (default 15 000 ms). */
  timeoutMs?: number;
}

/** Starts registries and temp dirs, and cleans all of them up. */
export class RegistryHarness {
  readonly #processes: RegistryProcess[] = [];
  readonly #registries: Registry[] = [];
  readonly #dirs: string[] = [];

  /** A new empty temp dir, removed by {@link cleanup}. */
  async tempDir(): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mdr-'));
    this.#dirs.push(dir);
    return dir;
  }

  /**
   * Starts the reference registry (solutions/) in this process on 127.0.0.1 and an OS-chosen port.
   * @param options anything of startRegistry's options; `root` defaults to a new temp dir.
   */
  async startReference(options: Partial<RegistryOptions> = {}): Promise<Registry> {
    const root = options.root ?? path.join(await this.tempDir(), 'root');
    const registry = await startReferenceRegistry({ listen: '127.0.0.1:0', ...options, root });
    this.#registries.push(registry);
    return registry;
  }

  /** Registers a registry started some other way, so that {@link cleanup} closes it. */
  track(registry: Registry): Registry {
    this.#registries.push(registry);
    return registry;
  }

  /**
   * Spawns `node bin/minidocker-registry.js --listen 127.0.0.1:0 --root <root> …args` and
   * waits for its `minidocker-registry listening on http://…` line on stderr.
   * @throws Error with its stderr when it exits first or does not listen in time.
   */
  async startProcess(options: StartProcessOptions = {}): Promise<RegistryProcess> {
    const root = options.root ?? path.join(await this.tempDir(), 'root');
    const env = { ...process.env };
    if (options.impl === 'reference') env.DOCKERLINGS_IMPL = 'reference';
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'minidocker-registry.js'), '--listen', options.listen ?? '127.0.0.1:0', '--root', root, ...(options.args ?? [])],
      { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    let done = false;
    const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => ((done = true), resolve({ code, signal }))));
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not spawn minidocker-registry');
    const proc: RegistryProcess = {
      pid,
      url: '',
      host: '',
      root,
      child,
      stderr: () => err,
      exited,
      signal: (signal) => {
        if (!done) process.kill(pid, signal);
      },
    };
    this.#processes.push(proc);
    if (options.waitForListening === false) return proc;
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      const m = /listening on (http:\/\/(\S+?))(?:\s|$)/.exec(err);
      if (m !== null) return Object.assign(proc, { url: m[1]!, host: m[2]! });
      if (done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `minidocker-registry did not print "minidocker-registry listening on http://…" — look at src/registry/main.ts and src/registry/server.ts; its stderr:\n${err.trim()}`,
    );
  }

  /** Closes in-process registries, SIGKILLs every process still running (by pid), removes every temp dir. */
  async cleanup(): Promise<void> {
    const registries = this.#registries.splice(0);
    await Promise.all(registries.map((r) => r.close().catch(() => undefined)));
    const processes = this.#processes.splice(0);
    for (const proc of processes) proc.signal('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    const dirs = this.#dirs.splice(0);
    await Promise.all(dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}

/** `sha256:<hex>` of some bytes. */
export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A small image made up for a test: random layer bytes, a config, an OCI manifest naming both. */
export interface TestImage {
  config: Buffer;
  layer: Buffer;
  /** The manifest's exact bytes. */
  manifest: Buffer;
  configDigest: string;
  layerDigest: string;
  manifestDigest: string;
  mediaType: string;
}

/**
 * Makes a {@link TestImage}: an OCI image manifest (or, with
 * `docker: true`, a Docker v2 schema 2 one) whose layer is `layerSize` random bytes.
 */
export function makeTestImage(options: { layerSize?: number; docker?: boolean } = {}): TestImage {
  const layer = randomBytes(options.layerSize ?? 4096);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(randomBytes(8))] } }),
  );
  const docker = options.docker === true;
  const mediaType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType,
        config: {
          mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
          digest: sha256(config),
          size: config.length,
        },
        layers: [
          {
            mediaType: docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: sha256(layer),
            size: layer.length,
          },
        ],
      },
      null,
      3, // unusual indentation: a registry must keep the exact bytes, not re-serialise them
    ),
  );
  return { config, layer, manifest, configDigest: sha256(config), layerDigest: sha256(layer), manifestDigest: sha256(manifest), mediaType };
}

/** Extra request headers (e.g. `Authorization`) for the push helpers. */
export type ExtraHeaders = Record<string, string>;

/**
 * Pushes one blob with a single `POST /v2/<name>/blobs/uploads/?digest=` (201 expected).
 * @returns the blob's digest.
 * @throws Error with the status and body when the registry does not answer 201.
 */
export async function pushBlob(url: string, name: string, data: Buffer, headers: ExtraHeaders = {}): Promise<string> {
  const digest = sha256(data);
  const res = await fetch(`${url}/v2/${name}/blobs/uploads/?digest=${digest}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: data,
  });
  if (res.status !== 201) throw new Error(`monolithic push of ${digest} to ${name}: ${res.status} ${await res.text()}`);
  return digest;
}

/**
 * Pushes a manifest with `PUT /v2/<name>/manifests/<reference>` (201 expected).
 * @throws Error with the status and body otherwise.
 */
export async function pushManifest(url: string, name: string, reference: string, bytes: Buffer, mediaType: string, headers: ExtraHeaders = {}): Promise<string> {
  const res = await fetch(`${url}/v2/${name}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'Content-Type': mediaType, ...headers },
    body: bytes,
  });
  if (res.status !== 201) throw new Error(`manifest push to ${name}:${reference}: ${res.status} ${await res.text()}`);
  return res.headers.get('docker-content-digest') ?? '';
}

/** Pushes a {@link TestImage}: config and layer, then the manifest under `tag`. */
export async function pushTestImage(url: string, name: string, tag: string, image: TestImage, headers: ExtraHeaders = {}): Promise<void> {
  await pushBlob(url, name, image.config, headers);
  await pushBlob(url, name, image.layer, headers);
  await pushManifest(url, name, tag, image.manifest, image.mediaType, headers);
}

/**
 * Pushes the image an OCI layout tags `ref` (e.g. test/support/base-images.ts's busybox):
 * its blobs, then its manifest under `tag`.
 * @returns the manifest's digest.
 */
export async function pushLayout(url: string, name: string, tag: string, layoutDir: string, ref = 'latest', headers: ExtraHeaders = {}): Promise<string> {
  const blob = (digest: string) => fs.readFile(path.join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(await fs.readFile(path.join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref);
  if (entry === undefined) throw new Error(`${layoutDir} has no image tagged ${ref}`);
  const manifestBytes = await blob(entry.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const d of [manifest.config, ...manifest.layers]) await pushBlob(url, name, await blob(d.digest), headers);
  return pushManifest(url, name, tag, manifestBytes, entry.mediaType, headers);
}

/** The `errors[].code` values of an OCI error reply ([] when the body is not one). */
export async function errorCodes(res: Response): Promise<string[]> {
  const text = await res.text();
  try {
    return ((JSON.parse(text) as { errors?: { code: string }[] }).errors ?? []).map((e) => e.code);
  } catch {
    return [];
  }
}
