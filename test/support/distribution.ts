/**
 * Debian's `docker-registry` (CNCF distribution) for the interop checks:
 * started by fixtures/distribution.ts on loopback with a temp root and a free
 * port, and stopped (by pid) and removed by the check's {@link TestScope}.
 *
 * ```ts
 * const registry = await startDistribution(requireTool(distribution), scope);
 * // … push to and pull from registry.host …
 * ```
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { startDistribution as startDistributionProcess } from '../../fixtures/distribution.js';
import type { Distribution } from '../../fixtures/distribution.js';
import { pushManifest } from '../../fixtures/registry-push.js';
import type { TestScope } from './scope.js';

export type { Distribution } from '../../fixtures/distribution.js';

/**
 * Starts `docker-registry` and waits until `GET /v2/` answers 200; `scope`
 * stops it (SIGTERM, then SIGKILL) and removes its folder at cleanup.
 * @param bin the docker-registry executable (from `prerequisite('docker-registry', …)`).
 * @throws Error with the registry's log when it does not answer within 15 s.
 */
export async function startDistribution(bin: string, scope: TestScope): Promise<Distribution> {
  const registry = await startDistributionProcess(bin);
  scope.defer(() => registry.stop(), `stopping docker-registry at ${registry.host}`);
  return registry;
}

/**
 * Pushes the image an OCI layout tags `latest` to `host` as `name:tag`, each
 * blob in the spec's two steps (`POST …/blobs/uploads/` → 202 and a
 * `Location`, then `PUT <Location>&digest=`): distribution 2.8 answers a
 * monolithic `POST ?digest=` with 202, so fixtures/registry-push.ts's
 * pushLayout cannot fill it.
 * @returns the manifest's digest.
 * @throws Error with the status and body when the registry refuses a step.
 */
export async function pushLayoutToDistribution(host: string, name: string, tag: string, layoutDir: string): Promise<string> {
  const base = `http://${host}`;
  const blob = (digest: string) => fs.readFile(path.join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  const index = JSON.parse(await fs.readFile(path.join(layoutDir, 'index.json'), 'utf8')) as {
    manifests: { digest: string; mediaType: string; annotations?: Record<string, string> }[];
  };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === 'latest');
  if (entry === undefined) throw new Error(`${layoutDir} has no image tagged latest`);
  const manifestBytes = await blob(entry.digest);
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  for (const { digest } of [manifest.config, ...manifest.layers]) {
    const started = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: 'POST' });
    await started.body?.cancel();
    const location = started.headers.get('location');
    if (started.status !== 202 || location === null) throw new Error(`starting an upload to ${name}: ${started.status}`);
    const url = new URL(location, base);
    url.searchParams.set('digest', digest);
    const put = await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: await blob(digest) });
    if (put.status !== 201) throw new Error(`finishing the upload of ${digest} to ${name}: ${put.status} ${await put.text()}`);
  }
  return pushManifest(base, name, tag, manifestBytes, entry.mediaType);
}
