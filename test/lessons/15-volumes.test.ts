/**
 * Lesson 15 — volumes and files. Graded checks.
 *
 * Binds, volumes and tmpfs (15-volumes/volumes.ts): the parsing of -v and
 * --mount, the spec mounts, and real containers through a real daemon, with
 * the real docker CLI too; the archive API behind docker cp
 * (15-volumes/archive.ts); the minidocker CLI (15-volumes/cli.ts); and
 * testcontainers 11's copy, bind and tmpfs functions (15-volumes/testcontainers.ts).
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { ContainerDaemons, MirrorFixture } from '../support/container-harness.js';
import { registerArchiveChecks } from './15-volumes/archive.js';
import { registerCliChecks } from './15-volumes/cli.js';
import { registerTestcontainersChecks } from './15-volumes/testcontainers.js';
import { registerVolumeChecks } from './15-volumes/volumes.js';

const mirror = new MirrorFixture();
const daemons = new ContainerDaemons(mirror);

beforeAll(() => mirror.start(), 120_000);
afterEach(() => daemons.cleanup(), 60_000);
afterAll(() => mirror.cleanup());

describe('lesson 15 — volumes and files', () => {
  registerVolumeChecks(daemons, mirror);
  registerArchiveChecks(daemons);
  registerCliChecks(daemons);
  registerTestcontainersChecks(daemons);
});
