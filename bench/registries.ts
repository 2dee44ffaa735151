/**
 * The registries under test, each a child process on loopback with a fresh
 * empty root:
 * the selected tree's `minidocker-registry` and Debian's `docker-registry`
 * (CNCF distribution), whose storage is the filesystem driver.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '../kata/impl-switch.js';
import { startDistribution as startDebianRegistry } from '../fixtures/distribution.js';

/** A running registry. */
export interface RunningRegistry {
  /** `127.0.0.1:<port>`, for image references. */
  host: string;
  pid: number;
  /** Kills the process (SIGKILL, by pid), waits for it and removes its folder. */
  stop(): Promise<void>;
}

/** Spawns `file args`, collecting stderr, and gives back a stop that kills it by pid and removes `dir`. */
function launch(file: string, args: string[], dir: string): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const child = spawn(file, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
      await exited;
    }
    await fs.rm(dir, { recursive: true, force: true });
  };
  return { child, output: () => output, stop };
}

/** Waits until `GET /v2/` answers 200; throws with the process output when it exits or takes over 15 s. */
async function waitUp(host: string, child: ChildProcess, output: () => string, stop: () => Promise<void>): Promise<void> {
  for (let waited = 0; ; waited += 50) {
    const up = await fetch(`http://${host}/v2/`).then((r) => r.status === 200, () => false);
    if (up) return;
    if (child.exitCode !== null || waited > 15_000) {
      await stop();
      const last = output().trim().split('\n').slice(-3).join(' / ');
      throw new Error(`${child.exitCode !== null ? 'exited' : 'did not answer GET /v2/ within 15 s'}: ${last}`);
    }
    await sleep(50);
  }
}

/**
 * Starts `node bin/minidocker-registry.js --listen 127.0.0.1:0 --root <fresh>`
 * of the tree DOCKERLINGS_IMPL selects (inherited), and waits for its
 * "listening on" line and a 200 from `GET /v2/`.
 */
export async function startMiniRegistry(workDir: string): Promise<RunningRegistry> {
  const dir = await fs.mkdtemp(path.join(workDir, 'mdr-'));
  const bin = path.join(repoRoot, 'bin', 'minidocker-registry.js');
  const { child, output, stop } = launch(process.execPath, [bin, '--listen', '127.0.0.1:0', '--root', path.join(dir, 'root')], dir);
  for (let waited = 0; ; waited += 50) {
    const m = /listening on http:\/\/(\S+)/.exec(output());
    if (m) {
      const host = m[1]!;
      await waitUp(host, child, output, stop);
      return { host, pid: child.pid!, stop };
    }
    if (child.exitCode !== null || waited > 15_000) {
      await stop();
      const last = output().trim().split('\n').slice(-3).join(' / ');
      throw new Error(`minidocker-registry did not start: ${last || `exit ${child.exitCode}`}`);
    }
    await sleep(50);
  }
}

/**
 * Starts Debian's `docker-registry` the way the interop checks do (a fresh
 * root and port, see fixtures/distribution.ts).
 */
export async function startDistribution(bin: string): Promise<RunningRegistry> {
  const registry = await startDebianRegistry(bin);
  return { host: registry.host, pid: registry.process.pid!, stop: registry.stop };
}

/** A process's VmRSS, or undefined once it is gone. */
export async function vmRss(pid: number): Promise<number | undefined> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/**
 * Samples a process's VmRSS every `everyMs` while `work` runs.
 * @returns the RSS before the work and the highest sample (the last one included).
 */
export async function sampleRss(pid: number, work: () => Promise<void>, everyMs = 50): Promise<{ baseline: number; peak: number }> {
  const baseline = (await vmRss(pid)) ?? 0;
  let peak = baseline;
  let pending = Promise.resolve();
  const timer = setInterval(() => {
    pending = vmRss(pid).then((rss) => void (peak = Math.max(peak, rss ?? 0)));
  }, everyMs);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  await pending;
  peak = Math.max(peak, (await vmRss(pid)) ?? 0);
  return { baseline, peak };
}
