/**
 * What lesson 07's checks (../07-registry-server.test.ts) share: the files
 * they name, the registry harness, the registry under test started in this
 * process, and ways to look at its storage and its upload replies.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { startRegistry } from '#kata/registry/server.js';
import type { Registry, RegistryOptions } from '#kata/registry/server.js';
import { RegistryHarness } from '../../support/registry-harness.js';

export const exec = promisify(execFile);

/** Registries and temp dirs of a check; the test file's afterEach cleans them up. */
export const harness = new RegistryHarness();

export const SERVER = 'src/registry/server.ts';
export const BLOBS = 'src/registry/blob-routes.ts';
export const UPLOADS = 'src/registry/uploads.ts';
export const MANIFESTS = 'src/registry/manifest-routes.ts';
export const STORAGE = 'src/registry/storage.ts';
export const ERRORS = 'src/registry/errors.ts';
export const NAMES = 'src/registry/names.ts';
export const AUTH = 'src/registry/auth.ts';
export const MAIN = 'src/registry/main.ts';
export const MANIFEST_DETAIL = `${MANIFESTS} putManifest (detail: { digest })`;

/** Starts the registry under test in this process, on 127.0.0.1 and a port the OS chooses. */
export async function start(options: Partial<RegistryOptions> = {}): Promise<Registry> {
  const root = options.root ?? path.join(await harness.tempDir(), 'root');
  return harness.track(await startRegistry({ listen: '127.0.0.1:0', ...options, root }));
}

/** The files under `<root>/blobs/sha256` (the committed blobs), [] when there are none. */
export async function storedBlobs(root: string): Promise<string[]> {
  return fs.readdir(path.join(root, 'blobs', 'sha256')).catch(() => []);
}

/** Every regular file under `dir`, as relative paths. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Resolves an upload `Location` (relative or absolute) against the registry. */
export function at(registry: { url: string }, location: string | null): string {
  expect(location, `an upload reply must carry a Location header — ${BLOBS}`).toBeTruthy();
  return new URL(location!, registry.url).toString();
}

/** The SHA-1 of a text, as htpasswd's {SHA} entries hold it. */
export async function sha1(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
}
