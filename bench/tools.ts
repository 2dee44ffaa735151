/**
 * The competitors: GNU/busybox `tar -xzf` and `umoci unpack`, run as child
 * processes on the same files the implementation unpacks.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findExecutable } from '../kata/doctor.js';

/** A competitor found on this machine, or the note printed when it is missing. */
export interface Tool {
  name: string;
  path?: string;
  version?: string;
  missing?: string;
}

/** Runs a command to completion; rejects with its last stderr line when it fails. */
export function run(file: string, args: string[], options: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const last = stderr.trim().split('\n').at(-1) ?? '';
      reject(new Error(`${path.basename(file)} ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}): ${last}`));
    });
  });
}

/** Looks a competitor up on PATH and the sbin folders, with its version line. */
export async function findTool(name: string, install: string): Promise<Tool> {
  const found = await findExecutable(name);
  if (!found) return { name, missing: `${name} is not installed (${install}): its rows are skipped` };
  const version = await run(found.path, ['--version']).then(
    (out) => out.split('\n')[0]?.trim(),
    () => undefined,
  );
  return { name, path: found.path, version };
}

/** `tar -xzf <layer> -C <dir>`: GNU tar hands the gzip to a `gzip -d` child, busybox tar unzips itself. */
export async function tarExtract(tar: string, layer: string, dir: string): Promise<void> {
  await run(tar, ['-xzf', layer, '-C', dir]);
}

/**
 * `umoci unpack --image <layout>:<tag> <bundle>`: unpacks every layer of the
 * image into `<bundle>/rootfs` and writes the bundle's config.json and mtree
 * manifest. `--rootless` when not root, as umoci requires then.
 */
export async function umociUnpack(umoci: string, layoutDir: string, tag: string, bundle: string): Promise<void> {
  const rootless = process.getuid?.() !== 0 ? ['--rootless'] : [];
  await run(umoci, ['unpack', ...rootless, '--image', `${layoutDir}:${tag}`, bundle]);
}
