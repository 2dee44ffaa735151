/**
 * What the port section measures, set up once and torn down at the end: one
 * busybox httpd in a runc container, its port 80 published on a
 * kernel-chosen 127.0.0.1 port through the selected tree's bindPorts and
 * startPortProxy (lesson 14), and two clients of the same code
 * (bench/port-client.ts), one on each side of the proxy.
 *
 * ```
 * client (host)           ──▶ 127.0.0.1:<host port> ──▶ port proxy ──▶ 127.0.0.1:80  httpd
 * client (nsenter --net)  ───────────────────────────────────────────▶ 127.0.0.1:80  (the container's namespace)
 *
 * <workDir>/ports-XXXXXX/
 * ├── images/busybox/      the offline busybox (fixtures/base-images.ts)
 * ├── rootfs/              busybox unpacked once; www/index.html is the served file
 * ├── bundle/config.json   buildSpec for `httpd -f -p 80 -h /www`: its own network namespace (loopback only)
 * ├── runc.log             what runc and the container wrote
 * └── ctr/                 the container dir startPortProxy is given: proxy.pid, proxy.log
 * <tmp>/minidocker-bench-runc-XXXXXX/   runc --root
 * ```
 * Teardown ends the clients, stops the proxy, closes the bound port,
 * `runc delete -f`s the container, unmounts whatever is left under the
 * folder and removes both folders. Should the bench exit without it (Ctrl-C:
 * main's handler removes the work folder, then exits), an exit hook kills the
 * clients and the proxy by pid and `runc delete -f`s the container: runc's
 * root lies outside the work folder so that its state (and with it the
 * container's cgroup) is still there to delete.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { implDir } from '../kata/impl-switch.js';
import { buildBaseImages } from '../fixtures/base-images.js';
import { mountsUnder } from '../fixtures/host-state.js';
import { unpackImage } from '../solutions/image/unpack-image.js';
import type { BoundPorts, bindPorts as BindPorts } from '../solutions/runtime/host-ports.js';
import type { PortProxy, startPortProxy as StartPortProxy } from '../solutions/runtime/port-proxy.js';
import type { BatchRequest, BatchResult } from './port-client.js';
import { textBytes } from './prng.js';
import { layoutLayers, writeRuncBundle } from './run-fixture.js';
import { run } from './tools.js';

/** The served file: this many bytes of text, the same on every machine. */
export const BODY_BYTES = 1000;
/** What a request asks for: the file httpd serves from /www. */
export const BODY_PATH = '/index.html';
/** A client's start, or one of its batches, taking longer fails the case. */
const DEADLINE_MS = 60_000;
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'port-client.ts');

/** One side's client process: it runs batches of GETs and reports every latency. */
export interface HttpClient {
  readonly pid: number;
  /** `requests` GETs, `concurrency` at a time; rejects with the client's error. */
  batch(ask: BatchRequest): Promise<{ ms: number[]; seconds: number }>;
  /** Ends it (stdin closed, SIGKILL after 2 s); never throws. */
  close(): Promise<void>;
}

/** Everything the port cases need. */
export interface PortFixture {
  /** The kernel-chosen host port the proxy publishes container port 80 on. */
  hostPort: number;
  /** The client on the host, through the published port. */
  viaProxy: HttpClient;
  /** The client in the container's network namespace, to 127.0.0.1:80 there. */
  direct: HttpClient;
  /** The last lines of proxy.log: why the proxy's side failed, when it did. */
  proxyLog(): string;
  teardown(): Promise<void>;
}

/**
 * nsenter's options that enter the network namespace of `pid`, and first its
 * user namespace when that is not ours (rootless), as port-proxy.ts enters it.
 */
export function nsenterArgs(pid: number): string[] {
  const own = readlinkSync('/proc/self/ns/user') === readlinkSync(`/proc/${pid}/ns/user`);
  return [...(own ? [] : [`--user=/proc/${pid}/ns/user`, '--preserve-credentials']), `--net=/proc/${pid}/ns/net`];
}

/** `promise`, or a rejection once it took longer than {@link DEADLINE_MS}. */
async function withDeadline<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${DEADLINE_MS} ms`)), DEADLINE_MS)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts bench/port-client.ts (behind `prefix`, e.g. nsenter's argv) and
 * waits for its `ready` line. NODE_EXTRA_CA_CERTS is unset: no start is timed
 * here, but both clients then start the same, as the run section's Node rows do.
 */
async function startClient(prefix: string[], args: string[]): Promise<HttpClient> {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const [file = '', ...argv] = [...prefix, process.execPath, '--import', tsx, CLIENT, ...args];
  const child: ChildProcess = spawn(file, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.once('error', (err) => (stderr += `${err.message}\n`));
  const lastWords = (): string => stderr.trim().split('\n').at(-1) ?? '';
  // One listener for the client's whole life (one per batch would pile up): an exit fails whatever waits then.
  const exited = new Promise<never>((_, reject) => child.once('exit', (code, signal) => reject(new Error(`the client exited (${signal ?? `status ${code}`}): ${lastWords()}`))));
  exited.catch(() => undefined);
  const lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async <T>(what: string): Promise<T> => {
    const line = await withDeadline(Promise.race([lines.next(), exited])).catch((err: unknown) => {
      throw new Error(`${what}: ${(err as Error).message}`, { cause: err });
    });
    if (line.done) throw new Error(`${what}: the client closed its output: ${lastWords()}`);
    return JSON.parse(line.value) as T;
  };
  try {
    await next<{ ready: true }>(`starting ${path.basename(file)} ${args.slice(0, 2).join(':')}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid ?? -1,
    async batch(ask) {
      child.stdin?.write(`${JSON.stringify(ask)}\n`);
      const result = await next<BatchResult>(`${ask.requests} GETs, ${ask.concurrency} at a time`);
      if (result.error !== undefined || !result.ms || result.seconds === undefined) throw new Error(result.error ?? 'the client sent no figures');
      return { ms: result.ms, seconds: result.seconds };
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** `runc run --detach`: the container runs on after runc exits; its init's pid, from --pid-file. */
async function runDetached(runc: string, root: string, bundle: string, id: string, dir: string): Promise<number> {
  const pidFile = path.join(dir, 'ctr.pid');
  const logFile = path.join(dir, 'runc.log');
  // A file, not a pipe: the container inherits runc's stdio and would hold a pipe open until it ends.
  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(runc, ['--root', root, 'run', '--detach', '--bundle', bundle, '--pid-file', pidFile, id], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exit = new Promise<number | null>((resolve, reject) => child.once('error', reject).once('exit', (code) => resolve(code)));
  const code = await withDeadline(exit).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`runc run --detach: ${(err as Error).message}`, { cause: err });
  });
  if (code !== 0) throw new Error(`runc run --detach failed (exit ${code}): ${readFileSync(logFile, 'utf8').trim().split('\n').at(-1) ?? ''}`);
  return Number((await fs.readFile(pidFile, 'utf8')).trim());
}

/** Waits until something listens on TCP `port` in the network namespace of `pid` (its /proc/<pid>/net tables). */
async function listeningIn(pid: number, port: number): Promise<void> {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listens = (row: string): boolean => {
    const [, address = '', , state] = row.trim().split(/\s+/);
    return address.endsWith(local) && state === '0A'; // 0A: LISTEN
  };
  for (let waited = 0; waited < 10_000; waited += 20) {
    for (const table of ['tcp', 'tcp6']) {
      const text = await fs.readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
      if (text.split('\n').slice(1).some(listens)) return;
    }
    await sleep(20);
  }
  throw new Error(`httpd does not listen on port ${port} in the container within 10 s`);
}

/**
 * Sets the fixture up. The host port is bound first, before the container
 * runs, as the daemon binds it: a bindPorts not written yet fails at once.
 * @throws Error saying which step failed (the steps done so far are undone).
 */
export async function setUpPortFixture(workDir: string, runc: string, say: (line: string) => void): Promise<PortFixture> {
  const tree = implDir();
  const { bindPorts } = (await import(pathToFileURL(path.join(tree, 'runtime', 'host-ports.ts')).href)) as { bindPorts: typeof BindPorts };
  const { startPortProxy } = (await import(pathToFileURL(path.join(tree, 'runtime', 'port-proxy.ts')).href)) as { startPortProxy: typeof StartPortProxy };
  const dir = await fs.mkdtemp(path.join(workDir, 'ports-'));
  const id = `bench-ports-${process.pid}`;
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'minidocker-bench-runc-'));
  const ctrDir = path.join(dir, 'ctr');
  let bound: BoundPorts | undefined;
  let proxy: PortProxy | undefined;
  let created = false;
  const clients: HttpClient[] = [];
  // Synchronous: all an exit hook may do.
  const onExit = (): void => {
    for (const pid of [...clients.map((c) => c.pid), proxy?.pid]) {
      try {
        if (pid !== undefined && pid > 0) process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    if (created) spawnSync(runc, ['--root', root, 'delete', '-f', id], { stdio: 'ignore', timeout: 10_000 });
    rmSync(root, { recursive: true, force: true });
  };
  process.on('exit', onExit);
  const teardown = async (): Promise<void> => {
    for (const client of clients) await client.close();
    await proxy?.stop().catch(() => undefined);
    await bound?.close().catch(() => undefined);
    if (created) await run(runc, ['--root', root, 'delete', '-f', id]).catch(() => undefined);
    for (const mount of mountsUnder(dir)) await run('umount', ['-l', mount]).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(root, { recursive: true, force: true });
    process.off('exit', onExit);
  };
  try {
    bound = await bindPorts([{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }]);
    const hostPort = bound.mappings[0]?.hostPort ?? 0;

    say('ports: building the busybox image …');
    const images = await buildBaseImages(path.join(dir, 'images'));
    const rootfs = path.join(dir, 'rootfs');
    await unpackImage(rootfs, await layoutLayers(images.busybox.layoutDir));
    const bodyFile = path.join(rootfs, 'www', BODY_PATH);
    await fs.mkdir(path.dirname(bodyFile), { recursive: true });
    await fs.writeFile(bodyFile, textBytes('bench:port-proxy', BODY_BYTES));
    const bundle = path.join(dir, 'bundle');
    await writeRuncBundle(bundle, rootfs, ['httpd', '-f', '-p', '80', '-h', '/www'], 'ports');

    say('ports: starting busybox httpd through runc and its port proxy …');
    created = true;
    const containerPid = await runDetached(runc, root, bundle, id, dir);
    await listeningIn(containerPid, 80);
    await fs.mkdir(ctrDir, { recursive: true });
    proxy = await startPortProxy(bound, { dir: ctrDir, pid: containerPid });

    // Both read the expected body from the host's path: nsenter --net leaves the mount namespace alone.
    const target = [BODY_PATH, bodyFile];
    clients.push(await startClient([], ['127.0.0.1', String(hostPort), ...target]));
    clients.push(await startClient(['nsenter', ...nsenterArgs(containerPid), '--'], ['127.0.0.1', '80', ...target]));
    const proxyLog = (): string => {
      let text = '';
      try {
        text = readFileSync(path.join(ctrDir, 'proxy.log'), 'utf8').trim();
      } catch {
        // not written (yet)
      }
      return text === '' ? '(proxy.log is empty)' : `proxy.log ends: ${text.split('\n').slice(-2).join(' | ')}`;
    };
    return { hostPort, viaProxy: clients[0]!, direct: clients[1]!, proxyLog, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}
