/**
 * Debian's `docker-registry` (CNCF distribution 2.8), started on loopback for
 * interop checks: a temp root and config, a free port, stopped by pid.
 *
 * ```
 * <tmp>/dockerlings-distribution-XXXX/
 * ├── config.yml    storage.filesystem.rootdirectory, http.addr 127.0.0.1:<port>
 * ├── root/         the registry's storage
 * └── registry.log  its output, quoted when it does not come up
 * ```
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A running distribution registry. */
export interface Distribution {
  /** `127.0.0.1:<port>`. */
  host: string;
  /** The registry's process. */
  process: ChildProcess;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its directory. */
  stop(): Promise<void>;
}

/** A port the OS says is free right now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `bin serve config.yml` and waits until `GET /v2/` answers 200.
 * @param bin the docker-registry executable (from `prerequisite('docker-registry', …)`).
 * @throws Error with the registry's log when it does not answer within 15 s.
 */
export async function startDistribution(bin: string): Promise<Distribution> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-distribution-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'root')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${host}`,
    `  secret: ${port}-dockerlings`,
    '',
  ].join('\n');
  await fs.writeFile(path.join(dir, 'config.yml'), config);
  const log = await fs.open(path.join(dir, 'registry.log'), 'w');
  const child = spawn(bin, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', log.fd, log.fd] });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    await log.close().catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    for (let waited = 0; ; waited += 100) {
      if (child.exitCode !== null) throw new Error('docker-registry exited');
      const up = await fetch(`http://${host}/v2/`).then((r) => r.status === 200, () => false);
      if (up) break;
      if (waited > 15_000) throw new Error('docker-registry did not answer GET /v2/ within 15 s');
      await sleep(100);
    }
  } catch (err) {
    const output = await fs.readFile(path.join(dir, 'registry.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return { host, process: child, stop };
}
