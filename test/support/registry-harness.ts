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
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { repoRoot } from '../../kata/impl-switch.js';
import { startRegistry as startReferenceRegistry } from '../../solutions/registry/server.js';
import type { Registry, RegistryOptions } from '../../solutions/registry/server.js';
import { pushBlob, pushManifest } from '../../fixtures/registry-push.js';
import type { ExtraHeaders } from '../../fixtures/registry-push.js';
import { sha256 } from './bytes.js';
import { TestScope } from './scope.js';
import type { ScopedProcess } from './scope.js';

export type { ExitStatus } from './scope.js';
// The registry lessons push with these; they live in fixtures/ for the benchmark too.
export { pushBlob, pushLayout, pushManifest } from '../../fixtures/registry-push.js';
export type { ExtraHeaders } from '../../fixtures/registry-push.js';

/** A running (or finished) `minidocker-registry` child process. */
export interface RegistryProcess extends ScopedProcess {
  /** `http://127.0.0.1:<port>`, read from its "listening on" line. */
  url: string;
  /** `127.0.0.1:<port>`, for image references. */
  host: string;
  root: string;
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

/** Starts registries and temp dirs in a {@link TestScope}, and cleans all of them up. */
export class RegistryHarness {
  /** Where the harness registers what it starts; pass one to share it with other harnesses. */
  readonly scope: TestScope;

  constructor(scope: TestScope = new TestScope()) {
    this.scope = scope;
  }

  /** A new empty temp dir, removed by {@link cleanup}. */
  tempDir(): Promise<string> {
    return this.scope.tempDir('mdr-');
  }

  /**
   * Starts the reference registry (solutions/) in this process on 127.0.0.1 and an OS-chosen port.
   * @param options anything of startRegistry's options; `root` defaults to a new temp dir.
   */
  async startReference(options: Partial<RegistryOptions> = {}): Promise<Registry> {
    const root = options.root ?? path.join(await this.tempDir(), 'root');
    return this.track(await startReferenceRegistry({ listen: '127.0.0.1:0', ...options, root }));
  }

  /** Registers a registry started some other way, so that {@link cleanup} closes it. */
  track(registry: Registry): Registry {
    return this.scope.use(registry, `the registry at ${registry.url}`);
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
    const child = this.scope.spawn(
      process.execPath,
      [path.join(repoRoot, 'bin', 'minidocker-registry.js'), '--listen', options.listen ?? '127.0.0.1:0', '--root', root, ...(options.args ?? [])],
      { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], label: 'minidocker-registry' },
    );
    let done = false;
    void child.exited.then(() => (done = true));
    const proc: RegistryProcess = Object.assign(child, { url: '', host: '', root });
    if (options.waitForListening === false) return proc;
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      const m = /listening on (http:\/\/(\S+?))(?:\s|$)/.exec(proc.stderr());
      if (m !== null) return Object.assign(proc, { url: m[1]!, host: m[2]! });
      if (done) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(
      `minidocker-registry did not print "minidocker-registry listening on http://…" — look at src/registry/main.ts and src/registry/server.ts; its stderr:\n${proc.stderr().trim()}`,
    );
  }

  /** Closes in-process registries, SIGKILLs every process still running (by pid), removes every temp dir: the scope's cleanup. */
  cleanup(): Promise<void> {
    return this.scope.cleanup();
  }
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

/** Pushes a {@link TestImage}: config and layer, then the manifest under `tag`. */
export async function pushTestImage(url: string, name: string, tag: string, image: TestImage, headers: ExtraHeaders = {}): Promise<void> {
  await pushBlob(url, name, image.config, headers);
  await pushBlob(url, name, image.layer, headers);
  await pushManifest(url, name, tag, image.manifest, image.mediaType, headers);
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
