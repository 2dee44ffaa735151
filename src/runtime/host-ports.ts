/**
 * The host side of `docker run -p 127.0.0.1:8080:80`: the daemon binds each
 * published port's socket in its own network namespace, before the container
 * starts, so a port in use fails `start` with docker's message and nothing
 * runs. Only loopback host IPs: this project never listens anywhere else.
 * The bound sockets then go to the container's port proxy
 * (runtime/port-proxy.ts), which forwards from them into the container.
 *
 * ```
 * bindPorts([127.0.0.1:8080->80/tcp, 127.0.0.1:0->53/udp])
 *   ├─ every host IP loopback?           else InvalidParameterError, nothing bound
 *   ├─ bind 127.0.0.1:8080 (TCP)         in use: "Bind for 127.0.0.1:8080 failed: port is already allocated",
 *   ├─ bind 127.0.0.1:0 (UDP) → :49153                the sockets bound before it closed again
 *   └─▶ BoundPorts { mappings: [127.0.0.1:8080->80/tcp, 127.0.0.1:49153->53/udp], sockets }
 * ```
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { InvalidParameterError, SystemError } from '../errdefs.js';
import { NotImplementedError } from '../errors.js';

/** One published port: docker's `-p <hostIp>:<hostPort>:<containerPort>/<proto>`. */
export interface PortMapping {
  proto: 'tcp' | 'udp';
  /** A loopback address: in 127.0.0.0/8, or ::1. */
  hostIp: string;
  /** 0 asks the kernel for a free port; {@link BoundPorts.mappings} has the one it chose. */
  hostPort: number;
  containerPort: number;
}

/** Datagrams kept for the proxy while it starts; more are dropped, as UDP may. */
const EARLY_DATAGRAMS = 256;

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `ip` is a loopback address (127.0.0.0/8 or ::1): the only host IPs this project publishes on. */
export function isLoopback(ip: string): boolean {
  const family = net.isIPv4(ip) ? 'ipv4' : net.isIPv6(ip) ? 'ipv6' : undefined;
  return family !== undefined && LOOPBACK.check(ip, family);
}

/** `127.0.0.1:8080`, `[::1]:8080`: the host side of a mapping, as docker writes it. */
export function hostAddress(mapping: PortMapping): string {
  return net.isIPv6(mapping.hostIp) ? `[${mapping.hostIp}]:${mapping.hostPort}` : `${mapping.hostIp}:${mapping.hostPort}`;
}

/** `127.0.0.1:8080->80/tcp`: a mapping as `docker ps` shows it, and as the proxy's command line carries it. */
export function formatPort(mapping: PortMapping): string {
  return `${hostAddress(mapping)}->${mapping.containerPort}/${mapping.proto}`;
}

const PORT_TEXT = /^(?:\[([0-9A-Fa-f:.]+)\]|([0-9.]+)):(\d{1,5})->(\d{1,5})\/(tcp|udp)$/;

/**
 * The mapping {@link formatPort} wrote.
 * @throws Error when `text` is not such a mapping.
 */
export function parsePort(text: string): PortMapping {
  const match = PORT_TEXT.exec(text);
  if (!match) throw new Error(`not a published port: ${JSON.stringify(text)} (want e.g. 127.0.0.1:8080->80/tcp)`);
  const [, ipv6, ipv4, hostPort, containerPort, proto] = match;
  return { proto: proto as PortMapping['proto'], hostIp: ipv6 ?? ipv4 ?? '', hostPort: Number(hostPort), containerPort: Number(containerPort) };
}

/** A bound host socket: a listening TCP server, or a bound UDP socket. */
export type HostSocket = net.Server | dgram.Socket;

/**
 * Binds one host socket in this process's network namespace: a TCP server
 * listening on `hostIp:hostPort` (created with `pauseOnConnect`, so a
 * connection it accepts before the proxy takes over is left unread), or a
 * UDP socket bound there. Host port 0 gets a free port from the kernel.
 * @throws the system's error (`code` EADDRINUSE: the port is taken).
 */
export async function bindHostSocket(mapping: PortMapping): Promise<HostSocket> {
  const ready = (socket: HostSocket, start: (done: () => void) => void) =>
    new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      start(() => {
        socket.off('error', reject);
        resolve();
      });
    });
  if (mapping.proto === 'tcp') {
    const server = net.createServer({ pauseOnConnect: true });
    await ready(server, (done) => server.listen({ host: mapping.hostIp, port: mapping.hostPort, exclusive: true }, done));
    return server;
  }
  const socket = dgram.createSocket(net.isIPv6(mapping.hostIp) ? 'udp6' : 'udp4');
  await ready(socket, (done) => socket.bind({ address: mapping.hostIp, port: mapping.hostPort, exclusive: true }, done)).catch((err: unknown) => {
    socket.close();
    throw err;
  });
  return socket;
}

/** Closes a host socket; fine when it is closed already. */
export async function closeHostSocket(socket: HostSocket): Promise<void> {
  await new Promise<void>((resolve) => {
    try {
      // A server that stopped listening may have said 'close' already: its callback would never come.
      if (socket instanceof net.Server) return void (socket.listening ? socket.close(() => resolve()) : resolve());
      socket.close(() => resolve());
    } catch {
      resolve(); // a UDP socket closed already
    }
  });
}

/**
 * Binds the host socket of every mapping, in order, before the container
 * starts (docker allocates its ports then too).
 * @throws InvalidParameterError naming the loopback rule when a host IP is not
 *   a loopback address; nothing is bound then.
 * @throws SystemError `Bind for 127.0.0.1:8080 failed: port is already allocated`
 *   (docker's words) when a port is taken, or `Bind for <address> failed: <reason>`;
 *   every socket bound before it is closed again.
 */
export async function bindPorts(mappings: readonly PortMapping[]): Promise<BoundPorts> {
  // TODO(lesson-14): Refuse any host IP outside loopback, then bind every mapping in order, closing the ones bound before a failure.
  // HINT: check them all with isLoopback first: InvalidParameterError naming the address and the rule (127.0.0.0/8 and ::1 only), nothing bound.
  // HINT: bindHostSocket(mapping) binds one; its error with code EADDRINUSE becomes SystemError(`Bind for ${hostAddress(mapping)} failed: port is already allocated`).
  // HINT: on any failure closeHostSocket each socket already bound; else return new BoundPorts(mappings, sockets), which reads the ports the kernel chose.
  void mappings;
  throw new NotImplementedError('lesson-14: bindPorts');
}

/** What arrived on a host socket before the proxy took it: a connection (unread), or a datagram. */
export type EarlyArrival = { index: number; socket: net.Socket } | { index: number; data: Buffer; address: string; port: number };

/**
 * Host sockets bound in the daemon's namespace ({@link bindPorts}), held
 * until startPortProxy (runtime/port-proxy.ts) hands them to the proxy, or
 * {@link close}d when the container does not start. What arrives meanwhile
 * is kept for the proxy: a client that connects waits, unread.
 */
export class BoundPorts {
  /** The mappings as bound: a host port 0 is replaced by the port the kernel chose. */
  readonly mappings: readonly PortMapping[];
  /** One bound socket per mapping, in the same order. */
  readonly sockets: readonly HostSocket[];
  readonly #early: EarlyArrival[] = [];

  constructor(mappings: readonly PortMapping[], sockets: readonly HostSocket[]) {
    this.sockets = sockets;
    this.mappings = mappings.map((mapping, index) => {
      const socket = sockets[index];
      const address = socket instanceof net.Server ? socket.address() : socket?.address();
      return { ...mapping, hostPort: typeof address === 'object' && address !== null ? address.port : mapping.hostPort };
    });
    sockets.forEach((socket, index) => {
      if (socket instanceof net.Server) socket.on('connection', (client: net.Socket) => this.#early.push({ index, socket: client }));
      else {
        socket.on('message', (data, from) => {
          if (this.#early.length < EARLY_DATAGRAMS) this.#early.push({ index, data, address: from.address, port: from.port });
        });
      }
    });
  }

  /** Takes what arrived so far (and is still kept here), in order: for the proxy's hand-over. */
  takeEarly(): EarlyArrival[] {
    return this.#early.splice(0);
  }

  /** Closes every host socket and drops what arrived early: the ports are free again. Fine when closed already. */
  async close(): Promise<void> {
    for (const arrival of this.takeEarly()) if ('socket' in arrival) arrival.socket.destroy();
    await Promise.all(this.sockets.map(closeHostSocket));
  }
}
