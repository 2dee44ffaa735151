/**
 * Provided (no lesson asks you to change it): the port proxy of a container,
 * the process that forwards its published ports from the host into its
 * network namespace, without a bridge.
 *
 * Once the container runs, {@link startPortProxy} starts one proxy process
 * per container (runtime/proxy-main.ts) inside the container's network
 * namespace (`nsenter`, entering its user namespace first when rootless) and
 * hands it, over its IPC channel, the host sockets bindPorts bound in the
 * daemon's namespace (runtime/host-ports.ts). A socket keeps the namespace it
 * was made in: the proxy accepts on the host's 127.0.0.1:8080 and connects
 * to 127.0.0.1:80 in the container (runtime/port-forward.ts), as
 * docker-proxy does with `-use-listen-fd`. The daemon then closes its copies
 * and lets go. Like lesson 11's shim the proxy is detached: it outlives the
 * daemon, {@link adoptPortProxy} finds it again from its pid file, and it
 * ends by itself once the container's process is gone
 * ({@link PortProxy.stop} ends it sooner).
 *
 * ```
 * daemon: bindPorts ─▶ startTask ─▶ startPortProxy ─spawn─▶ nsenter --net=/proc/<pid>/ns/net -- node proxy-main.js …
 *         (host sockets)                  └──── IPC: the bound sockets ──▶ listens on them in the container's namespace
 * restarted daemon: adoptPortProxy(dir) ─▶ the same proxy, from proxy.pid and its command line
 *
 * <container dir>/
 * ├── proxy.pid    the proxy's pid (written by the daemon once the proxy took the sockets)
 * └── proxy.log    what the proxy wrote to stdout and stderr: why it stopped
 * ```
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatPort, parsePort } from './host-ports.js';
import type { BoundPorts, PortMapping } from './host-ports.js';
import { readPidFile } from './shim.js';

/** The address the proxy forwards to, inside the container's network namespace. */
export const CONTAINER_HOST = '127.0.0.1';

/** The proxy's entry next to this module: proxy-main.js when compiled (bin/build.js), proxy-main.ts run through tsx otherwise. */
export const PROXY_MAIN = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? './proxy-main.ts' : './proxy-main.js', import.meta.url));

/** How long the proxy may take to start and take the sockets. */
const START_TIMEOUT_MS = 20_000;

/** The messages on the proxy's IPC channel, both ways. */
export type ProxyMessage =
  | { type: 'ready' }
  | { type: 'listener'; index: number }
  | { type: 'listening'; index: number }
  | { type: 'connection'; index: number }
  | { type: 'datagram'; index: number; data: string; address: string; port: number };

/** A running port proxy, started or adopted. */
export interface PortProxy {
  readonly pid: number;
  /** The container's process: the proxy ends once it is gone. */
  readonly containerPid: number;
  /** What it publishes, host ports as bound. */
  readonly mappings: readonly PortMapping[];
  /** Whether it still runs (its pid is still this container's proxy). */
  alive(): boolean;
  /** Ends it (SIGTERM, SIGKILL after 2 s) and removes its pid file; resolves once it is gone, also when it was already. */
  stop(): Promise<void>;
}

/** The paths of a container's proxy files. */
export function proxyFiles(dir: string): { pid: string; log: string } {
  return { pid: path.join(dir, 'proxy.pid'), log: path.join(dir, 'proxy.log') };
}

/** What {@link startPortProxy} needs to know about the container. */
export interface ProxyOptions {
  /** The container's directory: proxy.pid and proxy.log go there. */
  dir: string;
  /** The container's process as the host sees it (Task.pid): whose namespaces the proxy enters, whose end ends it. */
  pid: number;
}

/**
 * Starts the proxy of a running container and hands it the bound sockets.
 * It runs detached (its own session) and goes on without the daemon.
 * @throws Error when the container's process is gone, or the proxy did not
 *   start (its log's last lines say why); the proxy is killed then, and the
 *   sockets stay bound here: close `ports` or try again.
 */
export async function startPortProxy(ports: BoundPorts, options: ProxyOptions): Promise<PortProxy> {
  const dir = path.resolve(options.dir);
  const files = proxyFiles(dir);
  fs.rmSync(files.pid, { force: true });
  const argv = [...nsenterArgs(options.pid), '--', process.execPath, ...proxyEntry(), dir, String(options.pid), ...ports.mappings.map(formatPort)];
  const log = fs.openSync(files.log, 'a');
  let proxy: ChildProcess;
  try {
    proxy = spawn('nsenter', argv, { detached: true, stdio: ['ignore', log, log, 'ipc'], cwd: '/' });
  } finally {
    fs.closeSync(log);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`the port proxy did not start within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      proxy.once('error', reject);
      proxy.once('exit', (code, signal) => reject(new Error(`the port proxy exited (${signal ?? `status ${code}`}) before it took the ports`)));
      proxy.on('message', (message: ProxyMessage) => {
        if (message.type === 'ready') handOver(ports, proxy).then(resolve, reject);
      });
    });
    if (proxy.pid === undefined) throw new Error('the port proxy has no pid');
    fs.writeFileSync(files.pid, `${proxy.pid}\n`);
  } catch (err) {
    proxy.kill('SIGKILL');
    const tail = fs.readFileSync(files.log, 'utf8').trim().split('\n').slice(-3).join('\n');
    throw new Error(`${(err as Error).message}${tail ? `; ${files.log} ends:\n${tail}` : ''}`, { cause: err });
  } finally {
    clearTimeout(timer);
  }
  proxy.removeAllListeners('exit');
  proxy.disconnect();
  proxy.unref();
  return proxyHandle(dir, proxy.pid, options.pid, ports.mappings);
}

/**
 * Hands the sockets to a proxy that said `ready`: sends each one, waits
 * until the proxy listens on all, stops listening here (the proxy's
 * descriptors stay open: one socket, two descriptors), then sends what
 * arrived here meanwhile: connections, unread, and datagrams.
 */
async function handOver(ports: BoundPorts, proxy: ChildProcess): Promise<void> {
  const send = (message: ProxyMessage, handle?: net.Socket | net.Server | dgram.Socket) =>
    new Promise<void>((resolve, reject) => proxy.send(message, handle, (err) => (err ? reject(err) : resolve())));
  const listening = new Set<number>();
  const allListening = new Promise<void>((resolve) => {
    const onMessage = (message: ProxyMessage) => {
      if (message.type !== 'listening') return;
      listening.add(message.index);
      if (listening.size < ports.sockets.length) return;
      proxy.off('message', onMessage);
      resolve();
    };
    proxy.on('message', onMessage);
  });
  for (const [index, socket] of ports.sockets.entries()) await send({ type: 'listener', index }, socket);
  await allListening;
  // Not ports.close(): a server's close callback waits for its connections, and the early ones go to the proxy below.
  for (const socket of ports.sockets) socket.close();
  for (const arrival of ports.takeEarly()) {
    if ('socket' in arrival) await send({ type: 'connection', index: arrival.index }, arrival.socket);
    else await send({ type: 'datagram', index: arrival.index, data: arrival.data.toString('base64'), address: arrival.address, port: arrival.port });
  }
}

/**
 * Finds a container's proxy again after a daemon restart, from `<dir>/proxy.pid`:
 * that process must still be a proxy of this `dir` (pids get reused).
 * @returns the proxy, or undefined when none runs (a stale pid file is removed).
 */
export function adoptPortProxy(dir: string): PortProxy | undefined {
  dir = path.resolve(dir);
  const files = proxyFiles(dir);
  const pid = readPidFile(files.pid);
  const args = pid === undefined ? undefined : proxyArgs(pid, dir);
  if (pid === undefined || args === undefined) {
    fs.rmSync(files.pid, { force: true });
    return undefined;
  }
  const [, containerPid = '', ...specs] = args;
  return proxyHandle(dir, pid, Number(containerPid), specs.map(parsePort));
}

/** The proxy's own arguments (`<dir> <container pid> <port>…`) when `pid` is a proxy of `dir`, else undefined. */
function proxyArgs(pid: number, dir: string): string[] | undefined {
  let argv: string[];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
  const entry = argv.findIndex((arg) => /(^|\/)proxy-main\.[jt]s$/.test(arg));
  return entry >= 0 && argv[entry + 1] === dir ? argv.slice(entry + 1, -1) : undefined;
}

function proxyHandle(dir: string, pid: number, containerPid: number, mappings: readonly PortMapping[]): PortProxy {
  const alive = () => proxyArgs(pid, dir) !== undefined;
  return {
    pid,
    containerPid,
    mappings,
    alive,
    async stop() {
      const gone = async (ms: number) => {
        for (let waited = 0; waited < ms; waited += 10) {
          if (!alive()) return true;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        return !alive();
      };
      const signal = (name: NodeJS.Signals) => {
        try {
          if (alive()) process.kill(pid, name);
        } catch {
          // gone meanwhile
        }
      };
      signal('SIGTERM');
      if (!(await gone(2_000))) {
        signal('SIGKILL');
        await gone(5_000);
      }
      const files = proxyFiles(dir);
      if (readPidFile(files.pid) === pid) fs.rmSync(files.pid, { force: true });
    },
  };
}

/**
 * nsenter's options that enter the network namespace of `pid`, and first its
 * user namespace when that is not ours (rootless: only the container's user
 * namespace may enter the network namespace it owns), keeping our ids.
 * @throws Error when the process is gone.
 */
function nsenterArgs(pid: number): string[] {
  const ns = (of: number | 'self', kind: string) => fs.readlinkSync(`/proc/${of}/ns/${kind}`);
  try {
    const user = ns(pid, 'user') === ns('self', 'user') ? [] : [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'];
    return [...user, `--net=/proc/${pid}/ns/net`];
  } catch (err) {
    throw new Error(`the container's process ${pid} is gone: ${(err as Error).message}`, { cause: err });
  }
}

/** node's arguments that run {@link PROXY_MAIN}: through tsx's loader when it is TypeScript, as bin/launch.js does. */
function proxyEntry(): string[] {
  if (!PROXY_MAIN.endsWith('.ts')) return [PROXY_MAIN];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href, PROXY_MAIN];
}

/**
 * The start time of a process (field 22 of /proc/<pid>/stat, in clock
 * ticks since boot): with the pid, what tells it from a later process that
 * got the same pid. Undefined when it is gone or a zombie.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After the command's closing parenthesis: state (field 3), …, starttime (field 22).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
}
