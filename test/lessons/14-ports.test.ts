/**
 * Lesson 14 — ports and networks. Graded checks.
 *
 * So far: the userland port proxy on its own (14-ports/proxy.ts): real
 * containers through runc, their ports published on loopback by bindPorts and
 * startPortProxy, reached from the host, root and rootless.
 */
import { describe } from 'vitest';
import { registerProxyChecks } from './14-ports/proxy.js';

describe('lesson 14 — ports and networks', () => {
  registerProxyChecks();
});
