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
import { startDistribution as startDistributionProcess } from '../../fixtures/distribution.js';
import type { Distribution } from '../../fixtures/distribution.js';
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
