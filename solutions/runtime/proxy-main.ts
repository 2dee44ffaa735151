/**
 * Provided (no lesson asks you to change it): the port proxy's process, one
 * per container with published ports, started by startPortProxy
 * (runtime/port-proxy.ts) inside the container's network namespace:
 *
 *   nsenter [--user=/proc/<pid>/ns/user --preserve-credentials] --net=/proc/<pid>/ns/net -- \
 *     node [--import tsx] proxy-main.js <container dir> <container pid> <port>…
 *
 * each <port> as `docker ps` shows it: `127.0.0.1:8080->80/tcp`, `[::1]:5353->53/udp`.
 *
 * 1. checks that it runs in the network namespace of <container pid>, and
 *    notes that process's start time;
 * 2. says `ready` on its IPC channel, then receives one bound host socket per
 *    <port>, in order: each client of a TCP one is forwarded with
 *    forwardConnection, the datagrams of a UDP one relayed with
 *    relayDatagrams (runtime/port-forward.ts), both to 127.0.0.1:<container
 *    port> here; it answers `listening` for each, then takes the connections
 *    and datagrams the daemon got before it;
 * 3. goes on when the daemon lets go of it or dies (it runs in its own session);
 * 4. exits once the container's process is gone (looked at every 200 ms:
 *    gone, a zombie, or another process with its pid), or on SIGTERM or SIGINT.
 *
 * It writes only to stdout and stderr, which the daemon points at <dir>/proxy.log.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { forwardConnection, relayDatagrams } from './port-forward.js';
import type { UdpRelay } from './port-forward.js';
import { formatPort, parsePort } from './host-ports.js';
import type { PortMapping } from './host-ports.js';
import { CONTAINER_HOST, processStartTime } from './port-proxy.js';
import type { ProxyMessage } from './port-proxy.js';

const WATCH_MS = 200;

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} port proxy ${process.pid}: ${line}\n`);
}

function fail(why: string): never {
  log(why);
  process.exit(1);
}

const [dir = '', pidText = '', ...specs] = process.argv.slice(2);
const containerPid = Number(pidText);
let mappings: PortMapping[] = [];
try {
  mappings = specs.map(parsePort);
} catch (err) {
  fail((err as Error).message);
}
const started = processStartTime(containerPid);
if (!process.send) fail('no IPC channel: runtime/port-proxy.ts (startPortProxy) starts this process');
if (!dir || started === undefined) fail(`the container's process ${pidText} is gone`);
checkNamespace();

const listeners: Array<net.Server | dgram.Socket | undefined> = [];
const relays: UdpRelay[] = [];
const clients = new Set<net.Socket>();

/** Forwards one client of published port `index` to the container; a failure ends that client only. */
function accept(client: net.Socket, index: number): void {
  const mapping = mappings[index];
  if (!mapping) return void client.destroy();
  // The forwarding relies on it: a client's FIN must not end the answer's direction.
  client.allowHalfOpen = true;
  clients.add(client);
  client.once('close', () => clients.delete(client));
  try {
    forwardConnection(client, { host: CONTAINER_HOST, port: mapping.containerPort }).catch((err: unknown) => log(`${formatPort(mapping)}: ${(err as Error).message}`));
  } catch (err) {
    log(`${formatPort(mapping)}: cannot forward a connection: ${(err as Error).message}`);
    client.destroy();
  }
}

function listen(index: number, handle: unknown): void {
  const mapping = mappings[index];
  if (!mapping) fail(`the daemon sent socket ${index}, but there are only ${mappings.length} ports`);
  if (handle instanceof net.Server) {
    handle.on('connection', (client: net.Socket) => accept(client, index));
    handle.on('error', (err) => log(`${formatPort(mapping)}: ${err.message}`));
  } else if (handle instanceof dgram.Socket) {
    handle.on('error', (err) => log(`${formatPort(mapping)}: ${err.message}`));
    try {
      relays.push(relayDatagrams(handle, { host: CONTAINER_HOST, port: mapping.containerPort }));
    } catch (err) {
      log(`${formatPort(mapping)}: cannot relay datagrams: ${(err as Error).message}`);
    }
  } else {
    fail(`the daemon sent no socket for ${formatPort(mapping)}`);
  }
  listeners[index] = handle;
  process.send?.({ type: 'listening', index } satisfies ProxyMessage);
}

process.on('message', (message: ProxyMessage, handle: unknown) => {
  switch (message.type) {
    case 'listener':
      return listen(message.index, handle);
    case 'connection':
      if (handle instanceof net.Socket) accept(handle, message.index);
      return;
    case 'datagram': {
      // Received by the daemon before this process listened: relayed as if it had arrived here.
      const socket = listeners[message.index];
      const from = { address: message.address, port: message.port, family: net.isIPv6(message.address) ? 'IPv6' : 'IPv4', size: 0 };
      if (socket instanceof dgram.Socket) socket.emit('message', Buffer.from(message.data, 'base64'), from);
      return;
    }
    default:
      return;
  }
});
process.on('disconnect', () => log(`serving ${mappings.map(formatPort).join(', ')} for the container's process ${containerPid} on its own`));

function shutdown(why: string): void {
  log(`${why}: exiting`);
  for (const relay of relays) relay.close();
  for (const listener of listeners) listener?.close();
  for (const client of clients) client.destroy();
  process.exit(0);
}

process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
setInterval(() => {
  if (processStartTime(containerPid) !== started) shutdown(`the container's process ${containerPid} is gone`);
}, WATCH_MS);

process.send?.({ type: 'ready' } satisfies ProxyMessage);

/** Ends the process when it does not run in the container's network namespace (a proxy there would connect to the host's ports). */
function checkNamespace(): void {
  let mine: string;
  let theirs: string;
  try {
    mine = fs.readlinkSync('/proc/self/ns/net');
    theirs = fs.readlinkSync(`/proc/${containerPid}/ns/net`);
  } catch (err) {
    return log(`cannot compare network namespaces: ${(err as Error).message}`);
  }
  if (mine !== theirs) fail(`runs in ${mine}, not in the container's network namespace ${theirs}: start it with nsenter --net=/proc/${containerPid}/ns/net`);
}
