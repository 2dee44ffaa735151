/**
 * Lesson 14's checks of the userland port proxy on its own, without the
 * daemon: real busybox containers run through runc (lesson 11's startTask,
 * test/support/runc-bundle.ts, a network namespace of their own with
 * loopback only, also rootless), their ports published with bindPorts
 * (runtime/host-ports.ts) and startPortProxy (the provided
 * runtime/port-proxy.ts), the traffic forwarded by runtime/port-forward.ts
 * inside the container's network namespace. A few
 * helper servers run in that namespace too, entered with nsenter as the proxy
 * enters it. Every container, proxy, helper and temp dir is removed after each
 * check, also when it fails.
 *
 * ```
 * <tmp>/
 * ├── runtime/                 runc --root
 * └── containers/<id>/         the container dir: shim files, proxy.pid, proxy.log
 *     └── bundle/              config.json (a network namespace), rootfs/ (busybox, /www/token)
 * ```
 */
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { bindPorts } from '#kata/runtime/host-ports.js';
import type { BoundPorts, PortMapping } from '#kata/runtime/host-ports.js';
import { adoptPortProxy, startPortProxy } from '#kata/runtime/port-proxy.js';
import type { PortProxy } from '#kata/runtime/port-proxy.js';
import { Runc } from '#kata/runtime/runc.js';
import { startTask } from '#kata/runtime/task.js';
import type { Task } from '#kata/runtime/task.js';
import { implDir } from '../../../kata/impl-switch.js';
import { processesNaming } from '../../../fixtures/host-state.js';
import { describeError, rejectionOf } from '../../support/outcomes.js';
import { prerequisite, requireTool } from '../../support/prereq.js';
import { isRoot, makeBusyboxBundle } from '../../support/runc-bundle.js';
import { TestScope } from '../../support/scope.js';
import type { ScopedProcess } from '../../support/scope.js';
import { seeded } from '../../support/seeded.js';
import type { Spec } from '../../../solutions/runtime/spec.js';

const PORTS = 'src/runtime/host-ports.ts';
const FORWARD = 'src/runtime/port-forward.ts';
const runcTool = prerequisite('runc', 'apt-get install runc');
const nsenterTool = prerequisite('nsenter', 'apt-get install util-linux');
const skip = runcTool.skip || nsenterTool.skip;

/** A container running busybox in a network namespace of its own. */
interface Container {
  id: string;
  dir: string;
  pid: number;
  runc: Runc;
  task: Task;
}

/** One socket a process holds, from a /proc/net table. */
interface SocketRow {
  table: 'host' | 'container';
  proto: string;
  local: string;
  remote: string;
  state: string;
}

/**
 * Declares the proxy checks; call it inside the lesson's describe. Each check
 * gets its own TestScope and temp dir.
 */
export function registerProxyChecks(): void {
  let scope: TestScope;
  let tmp = '';

  beforeEach(async () => {
    scope = new TestScope();
    tmp = await scope.tempDir('dl14-');
  });
  afterEach(() => scope.cleanup(), 30_000);

  /** Starts `args` in a busybox container with a network namespace (runc spec --rootless has none: it is added); `files` are written into its rootfs. */
  async function container(args: string[], files: Record<string, string> = {}): Promise<Container> {
    const id = `dl14-${randomBytes(4).toString('hex')}`;
    const runc = new Runc({ binary: 'runc', root: path.join(tmp, 'runtime') });
    scope.container(runc.binary, runc.root, id);
    const dir = path.join(tmp, 'containers', id);
    await fsp.mkdir(dir, { recursive: true });
    const { bundle, rootfs } = await makeBusyboxBundle(dir, { args, hostname: id });
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(await fsp.readFile(configFile, 'utf8')) as Spec;
    const namespaces = config.linux?.namespaces ?? [];
    if (!namespaces.some((ns) => ns.type === 'network')) namespaces.push({ type: 'network' });
    config.linux = { ...config.linux, namespaces };
    await fsp.writeFile(configFile, JSON.stringify(config, null, 2));
    for (const [name, content] of Object.entries(files)) {
      await fsp.mkdir(path.dirname(path.join(rootfs, name)), { recursive: true });
      await fsp.writeFile(path.join(rootfs, name), content);
    }
    const task = await startTask(runc, { id, dir, bundle });
    task.stdout.resume();
    task.stderr.resume();
    scope.defer(async () => {
      await runc.kill(id, 'SIGKILL').catch(() => undefined);
      await task.exited;
    }, `stopping container ${id}`);
    return { id, dir, pid: task.pid, runc, task };
  }

  /** bindPorts, with the sockets closed at cleanup (a no-op once a proxy took them). */
  async function bind(mappings: PortMapping[]): Promise<BoundPorts> {
    const bound = await bindPorts(mappings);
    scope.defer(() => bound.close(), 'closing bound ports');
    return bound;
  }

  /** startPortProxy, with the proxy stopped at cleanup. */
  async function proxyFor(bound: BoundPorts, c: Container): Promise<PortProxy> {
    const proxy = await startPortProxy(bound, { dir: c.dir, pid: c.pid });
    scope.defer(() => proxy.stop(), `stopping the port proxy ${proxy.pid}`);
    return proxy;
  }

  /** A process in the container's network namespace (and user namespace when rootless), entered as the proxy enters it. */
  function inNamespace(c: Container, args: string[]): ScopedProcess {
    return scope.spawn('nsenter', [...nsenterArgs(c.pid), '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'], label: `nsenter ${path.basename(args[0] ?? '')}` });
  }

  /** A node script in the container's network namespace; resolves once it printed `listening`. */
  async function helperServer(c: Container, script: string): Promise<ScopedProcess> {
    const helper = inNamespace(c, [process.execPath, '-e', script]);
    await within(10_000, async () => helper.stdout().includes('listening\n') || helper.child.exitCode !== null, () => `a helper server in the container's namespace did not start: ${helper.stderr()}`);
    expect(helper.stdout(), `the helper server in the container's network namespace started (nsenter ${nsenterArgs(c.pid).join(' ')}): ${helper.stderr()}`).toContain('listening\n');
    return helper;
  }

  /** The proxy's log, for messages. */
  function proxyLog(c: Container): string {
    const text = fs.existsSync(path.join(c.dir, 'proxy.log')) ? fs.readFileSync(path.join(c.dir, 'proxy.log'), 'utf8') : '';
    return text.trim() === '' ? '(proxy.log is empty)' : `proxy.log ends: ${text.trim().split('\n').slice(-4).join(' | ')}`;
  }

  // ---------------------------------------------------------------- forwarding

  it.skipIf(skip)('a fixed and a kernel-chosen host port both reach busybox httpd in the container, also for a client that connected before the proxy ran', async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const { why } = seeded();
    const token = `token-${randomBytes(8).toString('hex')}`;
    const fixed = await freePort();
    const bound = await bind([
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: fixed, containerPort: 80 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 },
    ]);
    const [first, second] = bound.mappings;
    expect(first?.hostPort, `a fixed host port is bound as asked (${PORTS}: bindPorts)`).toBe(fixed);
    expect(second?.hostPort, `host port 0 is replaced by the port the kernel chose, in BoundPorts.mappings (${PORTS}: bindPorts returns new BoundPorts(mappings, sockets))`).toBeGreaterThan(0);
    await expect(isListening(fixed), `bindPorts binds the host port before any container runs (${PORTS}: bindPorts)`).resolves.toBe(true);
    // Connects and asks now: the kernel holds it until the proxy takes the socket.
    const early = httpGet(fixed, '/token').catch((err: unknown) => describeError(err));
    const c = await container(['httpd', '-f', '-p', '80', '-h', '/www'], { 'www/token': token });
    await listeningInside(c, 'tcp', 80);
    const proxy = await proxyFor(bound, c);
    expect(proxy.mappings.map((m) => m.hostPort), `the proxy publishes the ports as bound`).toEqual([fixed, second?.hostPort]);
    for (const port of [fixed, second?.hostPort ?? 0]) {
      const answer = await httpGet(port, '/token').catch((err: unknown) => describeError(err));
      expect(answer, `GET http://127.0.0.1:${port}/token answers the file served by httpd inside the container (${FORWARD}: forwardConnection; ${proxyLog(c)}) ${why}`).toBe(token);
    }
    expect(await early, `a client that connected before the proxy started is answered once it runs (${proxyLog(c)})`).toBe(token);
  });

  it.skipIf(skip)("each client gets its own upstream connection, and a client's half-close reaches the container while the answer still comes back", async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const { why, int } = seeded();
    // nc -ll: a new `wc -c` per connection, which answers only after the end of its input.
    const c = await container(['nc', '-ll', '-p', '80', '-e', 'wc', '-c']);
    await listeningInside(c, 'tcp', 80);
    const bound = await bind([{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }]);
    await proxyFor(bound, c);
    const port = bound.mappings[0]?.hostPort ?? 0;
    const sizes = [int(1, 5_000), int(5_001, 200_000), int(1, 100)];
    const answers = await Promise.all(sizes.map((size) => halfCloseExchange(port, Buffer.alloc(size, 'x'))));
    expect(
      answers,
      `each client sends its bytes and half-closes; wc -c in the container must see the end of input and answer the count on the same connection. One upstream connection per client (${FORWARD}: forwardConnection: net.connect per client, pipe() both ways passes each FIN on) ${proxyLog(c)} ${why}`,
    ).toEqual(sizes.map((size) => ({ text: `${size}\n`, ended: true })));
  });

  it.skipIf(skip)("the container's half-close reaches the client, which can still send after it", async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const { why, int } = seeded();
    const c = await container(['sleep', '600']);
    // Greets, ends its side at once, then counts what it still receives.
    const helper = await helperServer(c, `
      const net = require('node:net');
      net.createServer({ allowHalfOpen: true }, (socket) => {
        socket.end('greeting');
        let n = 0;
        socket.on('data', (d) => (n += d.length));
        socket.on('end', () => process.stdout.write('received ' + n + '\\n'));
      }).listen(80, '127.0.0.1', () => process.stdout.write('listening\\n'));`);
    const bound = await bind([{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }]);
    await proxyFor(bound, c);
    const size = int(10_000, 300_000);
    const result = await new Promise<{ greeting: string; wrote: boolean; error?: string }>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port: bound.mappings[0]?.hostPort ?? 0, allowHalfOpen: true });
      let greeting = '';
      socket.on('data', (d: Buffer) => (greeting += d.toString()));
      socket.on('end', () => socket.end(Buffer.alloc(size, 'y'), () => resolve({ greeting, wrote: true })));
      socket.on('error', (err) => resolve({ greeting, wrote: false, error: err.message }));
      socket.setTimeout(10_000, () => resolve({ greeting, wrote: false, error: 'no end from the container within 10 s' }));
    });
    expect(result, `the container's server ends its side after "greeting": the client must get the greeting and then the end (${FORWARD}: forwardConnection: upstream.pipe(client) ends the client's side) ${proxyLog(c)}`).toEqual({ greeting: 'greeting', wrote: true });
    await within(10_000, async () => helper.stdout().includes('received '), () => 'no count from the helper');
    expect(
      helper.stdout(),
      `after the container's server ended its side, the client's ${size} bytes must still reach it: the upstream connection must allow half-open, or node ends its writable side at the server's FIN (${FORWARD}: forwardConnection: net.connect({ …, allowHalfOpen: true })) ${proxyLog(c)} ${why}`,
    ).toContain(`received ${size}\n`);
  });

  it.skipIf(skip)("UDP datagrams reach the container's port, and each client's answers come back to it alone", async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const { why } = seeded();
    const c = await container(['sleep', '600']);
    // Echoes each datagram prefixed with the port it came from: one port per flow.
    await helperServer(c, `
      const dgram = require('node:dgram');
      const s = dgram.createSocket('udp4');
      s.on('message', (m, from) => s.send(from.port + ' ' + m, from.port, from.address));
      s.bind(53, '127.0.0.1', () => process.stdout.write('listening\\n'));`);
    const bound = await bind([{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 53 }]);
    await proxyFor(bound, c);
    const port = bound.mappings[0]?.hostPort ?? 0;
    const [a, b] = [randomBytes(6).toString('hex'), randomBytes(6).toString('hex')];
    const clientA = await udpClient();
    const clientB = await udpClient();
    const first = await clientA.ask(port, `one-${a}`);
    const other = await clientB.ask(port, `two-${b}`);
    const again = await clientA.ask(port, `three-${a}`);
    const flow = (answer: string) => answer.split(' ')[0];
    expect([first, other, again].map((x) => x.replace(/^\d+ /, '')), `each client gets the echo of its own datagram from the container's UDP port 53 (${FORWARD}: relayDatagrams; ${proxyLog(c)}) ${why}`).toEqual([`one-${a}`, `two-${b}`, `three-${a}`]);
    expect(flow(first), `the same client stays on the same flow: one upstream socket per client address and port (${FORWARD}: relayDatagrams keeps a Map of flows)`).toBe(flow(again));
    expect(flow(first), `two clients get two flows, so the container can tell them apart and answers reach the right one (${FORWARD}: relayDatagrams)`).not.toBe(flow(other));
  });

  it.skipIf(skip)('a client whose container port refuses is closed at once, and the proxy goes on serving the others', async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const token = randomBytes(8).toString('hex');
    const c = await container(['httpd', '-f', '-p', '80', '-h', '/www'], { 'www/token': token });
    await listeningInside(c, 'tcp', 80);
    // Nothing listens on 81 in the container.
    const bound = await bind([
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 81 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 },
    ]);
    const proxy = await proxyFor(bound, c);
    const [refused, served] = bound.mappings.map((m) => m.hostPort);
    const started = Date.now();
    const outcome = await halfCloseExchange(refused ?? 0, Buffer.from('GET / HTTP/1.0\r\n\r\n'), 5_000);
    expect(outcome.text, `nothing comes back from a port nobody listens on in the container`).toBe('');
    expect(Date.now() - started, `the client is closed as soon as the connect inside the container is refused (${FORWARD}: forwardConnection destroys the client on the upstream's 'error')`).toBeLessThan(4_000);
    expect(proxy.alive(), `the refused connect must not end the proxy (${FORWARD}: forwardConnection handles 'error' on both sockets; ${proxyLog(c)})`).toBe(true);
    expect(await httpGet(served ?? 0, '/token').catch((err: unknown) => describeError(err)), `the proxy still serves its other port (${proxyLog(c)})`).toBe(token);
  });

  // ---------------------------------------------------------------- binding

  it("a port in use fails with docker's message and leaves nothing bound or running", async () => {
    const taken = scope.use(await listenOn(0));
    const takenPort = (taken.address() as net.AddressInfo).port;
    const udpTaken = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udpTaken.bind(0, '127.0.0.1', resolve));
    scope.defer(() => udpTaken.close(), 'closing the UDP socket in use');
    const udpPort = udpTaken.address().port;
    const free = await freePort();
    const err = await rejectionOf(bindPorts([
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: free, containerPort: 80 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: takenPort, containerPort: 80 },
    ]));
    expect((err as Error).message, `binding a TCP port in use fails with docker's words, got ${describeError(err)} (${PORTS}: bindPorts maps EADDRINUSE)`).toBe(`Bind for 127.0.0.1:${takenPort} failed: port is already allocated`);
    await expect(isListening(free), `the port bound before the one in use is closed again (${PORTS}: bindPorts closes what it bound before a failure)`).resolves.toBe(false);
    const udpErr = await rejectionOf(bindPorts([{ proto: 'udp', hostIp: '127.0.0.1', hostPort: udpPort, containerPort: 53 }]));
    expect((udpErr as Error).message, `a UDP port in use fails the same way, got ${describeError(udpErr)} (${PORTS}: bindPorts)`).toBe(`Bind for 127.0.0.1:${udpPort} failed: port is already allocated`);
    expect(processesNaming(tmp), `no proxy or other process was started`).toEqual([]);
  });

  it('a host IP outside loopback is refused before anything is bound', async () => {
    const free = await freePort();
    for (const hostIp of ['203.0.113.7', 'localhost']) {
      const err = await rejectionOf(bindPorts([
        { proto: 'tcp', hostIp: '127.0.0.1', hostPort: free, containerPort: 80 },
        { proto: 'tcp', hostIp, hostPort: 0, containerPort: 80 },
      ]));
      expect((err as Error).name, `host IP ${hostIp} must be refused with InvalidParameterError (errdefs.ts; the daemon answers 400), got ${describeError(err)} (${PORTS}: bindPorts checks isLoopback first)`).toBe('InvalidParameterError');
      expect((err as Error).message, `the message names the address and the loopback rule (${PORTS}: bindPorts)`).toMatch(new RegExp(`${hostIp.replace(/\./g, '\\.')}.*loopback|loopback.*${hostIp.replace(/\./g, '\\.')}`));
      await expect(isListening(free), `nothing is bound when any host IP is refused (${PORTS}: bindPorts checks every mapping before binding)`).resolves.toBe(false);
    }
    const v6 = await bindPorts([{ proto: 'tcp', hostIp: '::1', hostPort: 0, containerPort: 80 }, { proto: 'tcp', hostIp: '127.0.0.2', hostPort: 0, containerPort: 80 }]).catch((e: unknown) => e);
    expect(v6 instanceof Error ? describeError(v6) : 'bound', `::1 and any 127.x.y.z are loopback and are bound (${PORTS}: bindPorts)`).toBe('bound');
    if (!(v6 instanceof Error)) await (v6 as BoundPorts).close();
  });

  // ---------------------------------------------------------------- the proxy process

  it.skipIf(skip)("the proxy runs in the container's network namespace, uses loopback addresses only, and ends when the container stops", async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const c = await container(['httpd', '-f', '-p', '80', '-h', '/www'], { 'www/token': 'x' });
    await listeningInside(c, 'tcp', 80);
    const bound = await bind([{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 0, containerPort: 80 }]);
    const proxy = await proxyFor(bound, c);
    const port = bound.mappings[0]?.hostPort ?? 0;
    expect(fs.readlinkSync(`/proc/${proxy.pid}/ns/net`), `the proxy's network namespace is the container's (startPortProxy runs it through nsenter --net=/proc/<pid>/ns/net)`).toBe(fs.readlinkSync(`/proc/${c.pid}/ns/net`));
    expect(fs.readFileSync(path.join(c.dir, 'proxy.pid'), 'utf8').trim(), `<dir>/proxy.pid names the proxy`).toBe(String(proxy.pid));
    // A client that has not finished its request keeps both of the proxy's connections open.
    const client = net.connect({ host: '127.0.0.1', port });
    scope.defer(() => client.destroy(), 'closing the client');
    await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
    client.write('GET /token HTTP/1.0\r\n');
    const sockets = await within(5_000, async () => {
      const rows = socketsOf(proxy.pid);
      return rows.some((r) => r.table === 'container' && r.state === 'ESTABLISHED') && rows.some((r) => r.table === 'host' && r.state === 'ESTABLISHED') ? rows : undefined;
    }, () => `the proxy's sockets: ${JSON.stringify(socketsOf(proxy.pid))} (${proxyLog(c)})`);
    expect(sockets.filter((r) => !usesLoopbackOnly(r)), `every socket of the proxy uses 127.0.0.0/8 or ::1 only: ${JSON.stringify(sockets)}`).toEqual([]);
    expect(sockets.find((r) => r.table === 'host' && r.state === 'LISTEN')?.local, `the proxy listens on the host's socket, made in the daemon's namespace`).toBe(`127.0.0.1:${port}`);
    expect(sockets.find((r) => r.table === 'container' && r.state === 'ESTABLISHED')?.remote, `the proxy's upstream connection is to 127.0.0.1:80 in the container's namespace (${FORWARD}: forwardConnection)`).toBe('127.0.0.1:80');
    expect(interfacesIn(c.pid), `the container's network namespace has loopback only: no bridge, no veth`).toEqual(['lo']);
    expect(addressesIn(c.pid).filter((a) => !isLoopbackHost(a)), `no address outside 127.0.0.0/8 and ::1 in the container's network namespace`).toEqual([]);
    client.destroy();

    await c.runc.kill(c.id, 'SIGKILL');
    await c.task.exited;
    await within(5_000, async () => !proxy.alive(), () => `the proxy ${proxy.pid} still runs after its container stopped (proxy-main.ts watches the container's pid)`);
    await expect(isListening(port), `once the proxy is gone, nothing listens on the host port any more`).resolves.toBe(false);
    const again = await bindPorts([{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: port, containerPort: 80 }]).catch((err: unknown) => err);
    expect(again instanceof Error ? describeError(again) : 'bound', `the host port can be bound again after the container stopped`).toBe('bound');
    if (!(again instanceof Error)) await (again as BoundPorts).close();
  });

  it.skipIf(skip)('a proxy outlives the process that started it and is adopted again from its pid file', async () => {
    requireTool(runcTool);
    requireTool(nsenterTool);
    const token = randomBytes(8).toString('hex');
    const c = await container(['httpd', '-f', '-p', '80', '-h', '/www'], { 'www/token': token });
    await listeningInside(c, 'tcp', 80);
    const helper = fileURLToPath(new URL('./proxy-parent.ts', import.meta.url));
    const parent = scope.spawn(process.execPath, ['--import', tsxLoader(), helper, implDir(), c.dir, String(c.pid), '127.0.0.1:0->80/tcp'], { stdio: ['ignore', 'pipe', 'pipe'], label: 'proxy-parent' });
    const ended = await parent.exited;
    expect(ended.signal, `the stand-in daemon binds, starts the proxy, prints it and dies by SIGKILL; it said: ${parent.stderr().trim().split('\n').slice(-3).join(' | ')}`).toBe('SIGKILL');
    const started = JSON.parse(parent.stdout().trim()) as { pid: number; mappings: PortMapping[] };
    const port = started.mappings[0]?.hostPort ?? 0;
    const adopted = adoptPortProxy(c.dir);
    if (adopted) scope.defer(() => adopted.stop(), 'stopping the adopted proxy');
    else scope.defer(() => { for (const pid of processesNaming(c.dir)) process.kill(pid, 'SIGKILL'); }, 'killing the proxy');
    expect(await httpGet(port, '/token').catch((err: unknown) => describeError(err)), `the proxy goes on forwarding after the process that started it was killed (startPortProxy spawns it detached and lets go of it; ${proxyLog(c)})`).toBe(token);
    expect(adopted?.pid, `adoptPortProxy(dir) finds the running proxy from <dir>/proxy.pid`).toBe(started.pid);
    expect(adopted?.mappings, `the adopted proxy tells what it publishes (from its command line)`).toEqual(started.mappings);
    expect(adopted?.containerPid, `and whose container it serves`).toBe(c.pid);
    await adopted?.stop();
    expect(adopted?.alive(), `stop() ends the adopted proxy`).toBe(false);
    await expect(isListening(port), `after stop() nothing listens on the host port`).resolves.toBe(false);
    expect(fs.existsSync(path.join(c.dir, 'proxy.pid')), `stop() removes <dir>/proxy.pid`).toBe(false);
    expect(adoptPortProxy(c.dir), `with no proxy running there is nothing to adopt`).toBeUndefined();
    // A pid file naming a live process that is no proxy of this container (pids get reused).
    fs.writeFileSync(path.join(c.dir, 'proxy.pid'), `${process.pid}\n`);
    expect(adoptPortProxy(c.dir), `a pid file naming another process is not a proxy: adoptPortProxy checks the command line`).toBeUndefined();
    expect(fs.existsSync(path.join(c.dir, 'proxy.pid')), `and removes the stale pid file`).toBe(false);
  });
}

// ---------------------------------------------------------------- helpers

/** nsenter's options that enter the network namespace of `pid`, through its user namespace when it is not ours (rootless). */
function nsenterArgs(pid: number): string[] {
  const own = fs.readlinkSync('/proc/self/ns/user') === fs.readlinkSync(`/proc/${pid}/ns/user`);
  return [...(own ? [] : [`--user=/proc/${pid}/ns/user`, '--preserve-credentials']), `--net=/proc/${pid}/ns/net`];
}

/** The URL of tsx's loader, for `node --import`. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/** Polls `probe` every 20 ms until it returns something other than undefined or false, or `ms` pass. */
async function within<T>(ms: number, probe: () => Promise<T | undefined | false>, failure: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = await listenOn(0);
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listenOn(port: number): Promise<net.Server> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
  return server;
}

/** Whether something accepts connections on 127.0.0.1:`port` (a LISTEN socket in this namespace's table). */
async function isListening(port: number): Promise<boolean> {
  return socketTable('/proc/self/net', 'tcp').some((r) => r.state === 'LISTEN' && r.local === `127.0.0.1:${port}`);
}

/** Waits until the container's server listens on `port` in its own namespace. */
async function listeningInside(c: Container, proto: 'tcp' | 'udp', port: number): Promise<void> {
  await within(10_000, async () => [proto, `${proto}6`].some((table) =>
    socketTable(`/proc/${c.pid}/net`, table).some((r) => r.local.endsWith(`:${port}`) && (proto === 'udp' || r.state === 'LISTEN'))),
  () => `the container's server does not listen on ${proto} port ${port}`);
}

/** GET over HTTP/1.0 through a published port; the body, or a rejection. */
function httpGet(port: number, urlPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer within 10 s from 127.0.0.1:${port}`)));
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('end', () => {
      const [head = '', body = ''] = text.split('\r\n\r\n');
      if (!/^HTTP\/1\.[01] 200/.test(head)) reject(new Error(`answer without 200: ${JSON.stringify(text.slice(0, 200))}`));
      else resolve(body);
    });
    socket.write(`GET ${urlPath} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`);
  });
}

/** Sends `data`, half-closes, and reads the answer to its end (or until the connection closes or `ms` pass). */
function halfCloseExchange(port: number, data: Buffer, ms = 15_000): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let text = '';
    let ended = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, ended });
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('end', () => {
      ended = true;
      done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.end(data);
  });
}

/** A UDP client on 127.0.0.1 that sends one datagram and waits for one answer. */
async function udpClient(): Promise<{ ask(port: number, text: string): Promise<string> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    ask: (port, text) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          socket.off('message', onMessage);
          resolve('(no answer within 5 s)');
        }, 5_000);
        const onMessage = (m: Buffer) => {
          clearTimeout(timer);
          socket.off('message', onMessage);
          resolve(m.toString());
        };
        socket.on('message', onMessage);
        socket.send(text, port, '127.0.0.1');
      }),
  };
}

const TCP_STATES: Record<string, string> = { '01': 'ESTABLISHED', '0A': 'LISTEN', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT', '07': 'CLOSE' };

/** The rows of /proc/<…>/net/<proto>, addresses decoded. */
function socketTable(base: string, proto: string, table: SocketRow['table'] = 'host'): Array<SocketRow & { inode: string }> {
  let text = '';
  try {
    text = fs.readFileSync(path.join(base, proto), 'utf8');
  } catch {
    return [];
  }
  return text.trim().split('\n').slice(1).map((line) => {
    const f = line.trim().split(/\s+/);
    return { table, proto, local: decodeAddress(f[1] ?? ''), remote: decodeAddress(f[2] ?? ''), state: TCP_STATES[f[3] ?? ''] ?? `state ${f[3]}`, inode: f[9] ?? '' };
  });
}

/** `0100007F:0050` → `127.0.0.1:80`, IPv6 → `[::1]:80` (the kernel prints each 32-bit word in host byte order). */
function decodeAddress(hex: string): string {
  const [addr = '', port = ''] = hex.split(':');
  const bytes = Buffer.from(addr, 'hex');
  for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return `${bytes.length === 4 ? [...bytes].join('.') : ipv6(bytes)}:${Number.parseInt(port, 16)}`;
}

/** 16 bytes in network order → `[::1]`, compressed as URLs write it. */
function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname;
}

/** The host part of `127.0.0.1:80` or `[::1]:80`. */
function hostOf(address: string): string {
  return address.startsWith('[') ? address.slice(0, address.indexOf(']') + 1) : address.replace(/:\d+$/, '');
}

/** 127.0.0.0/8, [::1], or an IPv4-mapped 127.x.y.z. */
function isLoopbackHost(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

/** The sockets `pid` holds, found in the host's tables and in those of its own network namespace. */
function socketsOf(pid: number): SocketRow[] {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const rows: SocketRow[] = [];
  for (const [table, base] of [['host', '/proc/self/net'], ['container', `/proc/${pid}/net`]] as const) {
    for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
      for (const { inode, ...row } of socketTable(base, proto, table)) if (inodes.has(inode)) rows.push(row);
    }
  }
  return rows;
}

/** Loopback addresses only; an unspecified remote (no peer: a listener, an unconnected UDP socket) is fine. */
function usesLoopbackOnly(row: SocketRow): boolean {
  const remote = hostOf(row.remote);
  return isLoopbackHost(hostOf(row.local)) && (remote === '0.0.0.0' || remote === '[::]' || isLoopbackHost(remote));
}

/** The network interfaces in the network namespace of `pid`. */
function interfacesIn(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/net/dev`, 'utf8').split('\n').slice(2).map((l) => l.split(':')[0]?.trim() ?? '').filter(Boolean);
}

/** The local IPv4 and IPv6 addresses in the network namespace of `pid`. */
function addressesIn(pid: number): string[] {
  const v4: string[] = [];
  const trie = fs.readFileSync(`/proc/${pid}/net/fib_trie`, 'utf8').split('\n');
  trie.forEach((line, i) => {
    const ip = /\|-- (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1];
    if (ip && /\/32 host LOCAL/.test(trie[i + 1] ?? '')) v4.push(ip);
  });
  // if_inet6 prints each address as 32 hex digits in network order.
  const v6 = fs.readFileSync(`/proc/${pid}/net/if_inet6`, 'utf8').trim().split('\n').filter(Boolean)
    .map((line) => ipv6(Buffer.from(line.split(/\s+/)[0] ?? '', 'hex')));
  return [...new Set(v4), ...v6];
}
