/**
 * Lesson 14 — ports and networks. Graded checks.
 *
 * The userland port proxy on its own (14-ports/proxy.ts): real
 * containers through runc, their ports published on loopback by bindPorts and
 * startPortProxy, reached from the host, root and rootless; and `-p` through
 * the daemon (14-ports/publish.ts): create, start, inspect, list, stop and a
 * daemon restart, with the real docker CLI too; the container's network
 * files and the networks API (14-ports/networks.ts): user-defined networks as
 * one shared namespace, loopback only, names through /etc/hosts; the
 * minidocker CLI (14-ports/cli.ts); and testcontainers 11, with its default
 * wait strategy and no host override (14-ports/testcontainers.ts).
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { ContainerDaemons, MirrorFixture } from '../support/container-harness.js';
import { registerProxyChecks } from './14-ports/proxy.js';
import { registerCliChecks } from './14-ports/cli.js';
import { registerNetworkChecks } from './14-ports/networks.js';
import { registerPublishChecks } from './14-ports/publish.js';
import { registerTestcontainersChecks } from './14-ports/testcontainers.js';

const mirror = new MirrorFixture();
const daemons = new ContainerDaemons(mirror);

beforeAll(() => mirror.start(), 120_000);
afterEach(() => daemons.cleanup(), 60_000);
afterAll(() => mirror.cleanup());

describe('lesson 14 — ports and networks', () => {
  registerProxyChecks();
  registerPublishChecks(daemons);
  registerNetworkChecks(daemons);
  registerCliChecks(daemons);
  registerTestcontainersChecks(daemons);
});
