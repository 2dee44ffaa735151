/**
 * The workshop's own CLI as the checks run it: `bin/minidocker.js -H
 * unix://<socket> …`, from the repository root (where DOCKERLINGS_IMPL picks
 * src/ or solutions/), with a deadline.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../kata/impl-switch.js';
import type { CliResult } from './docker-cli.js';

/** Runs `minidocker -H unix://<socketPath> …args`; a run killed at its deadline has code -1. */
export function minidocker(socketPath: string, args: string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(repoRoot, 'bin', 'minidocker.js'), '-H', `unix://${socketPath}`, ...args], { cwd: repoRoot, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}
