/**
 * What the port proxy does with the traffic of a published port, inside the
 * container's network namespace (runtime/proxy-main.ts runs it there): every
 * TCP client connection gets a connection of its own to 127.0.0.1:<container
 * port>, the bytes copied both ways and each direction ended on its own
 * (half-close); every UDP client gets a flow of its own. docker-proxy does
 * the same for `-p` when it does not use iptables.
 *
 * ```
 *  host network namespace           │  the container's network namespace
 *  client ──▶ 127.0.0.1:8080 ═══════╪═▶ proxy ──connect──▶ 127.0.0.1:80 (httpd)
 *  (the daemon bound it; the socket keeps that namespace)
 *  client FIN ───────────────────────────▶ upstream.end()      one direction ends,
 *  client.end() ◀──────────────────────── upstream FIN         the other goes on
 * ```
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** Where the proxy forwards to: the container's port on its own loopback. */
export interface ForwardTarget {
  host: string;
  port: number;
}

/** How long a connect to the container may take before the client is dropped, by default. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** How long a UDP flow lives without a datagram either way, by default: docker-proxy's 90 s. */
export const UDP_IDLE_TIMEOUT_MS = 90_000;

/** Options of {@link forwardConnection}. */
export interface ForwardOptions {
  /** Deadline of the connect to the container (default {@link CONNECT_TIMEOUT_MS}). */
  connectTimeoutMs?: number;
}

/**
 * Forwards one accepted client connection: opens one connection to `target`
 * and copies bytes both ways. When one side ends its half (FIN), the other
 * side's half is ended once everything before it was written, and the other
 * direction keeps flowing. A failed or late connect (past the deadline), or an
 * error on either side, destroys both. `client` must allow half-open (the
 * proxy sets `allowHalfOpen` on it).
 * @returns resolves once both connections are closed; never rejects.
 */
export function forwardConnection(client: net.Socket, target: ForwardTarget, options: ForwardOptions = {}): Promise<void> {
  const upstream = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  const deadline = setTimeout(
    () => upstream.destroy(new Error(`connect to ${target.host}:${target.port} took longer than ${options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS} ms`)),
    options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
  );
  upstream.once('connect', () => clearTimeout(deadline));
  // pipe() ends its destination when its source ends: a FIN travels on, the other direction stays open.
  client.pipe(upstream);
  upstream.pipe(client);
  // pipe() does not pass errors on: a refused connect or a reset ends both.
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
  return new Promise((resolve) => {
    let open = 2;
    const closed = () => {
      open -= 1;
      if (open > 0) return;
      clearTimeout(deadline);
      resolve();
    };
    client.once('close', closed);
    upstream.once('close', closed);
  });
}

/** Options of {@link relayDatagrams}. */
export interface RelayOptions {
  /** A flow without a datagram either way for this long is closed (default {@link UDP_IDLE_TIMEOUT_MS}). */
  idleTimeoutMs?: number;
}

/** The UDP flows of one published port. */
export interface UdpRelay {
  /** How many client flows are open. */
  readonly flows: number;
  /** Closes every flow and stops relaying (the host socket itself stays open). */
  close(): void;
}

/**
 * Relays the datagrams arriving on `socket` (a bound host socket): each
 * client address and port gets its own upstream socket connected to
 * `target`, so the container sees one peer per client and its answers go
 * back to that client only, sent from `socket`. A flow closes after
 * `idleTimeoutMs` without traffic, or when its upstream fails (nothing
 * listens on the container's port: ECONNREFUSED).
 */
export function relayDatagrams(socket: dgram.Socket, target: ForwardTarget, options: RelayOptions = {}): UdpRelay {
  const idleMs = options.idleTimeoutMs ?? UDP_IDLE_TIMEOUT_MS;
  const flows = new Map<string, { upstream: dgram.Socket; timer: NodeJS.Timeout; send(message: Buffer): void }>();

  const flowOf = (client: dgram.RemoteInfo) => {
    const key = `${client.address} ${client.port}`;
    const found = flows.get(key);
    if (found) return found;
    const upstream = dgram.createSocket(net.isIPv6(target.host) ? 'udp6' : 'udp4');
    // A connected socket sends without an address, and only once connect() completed: until then, datagrams wait here.
    let waiting: Buffer[] | undefined = [];
    const end = () => {
      if (flows.get(key) !== flow) return;
      flows.delete(key);
      clearTimeout(flow.timer);
      upstream.close();
    };
    const flow = {
      upstream,
      timer: setTimeout(end, idleMs),
      send: (message: Buffer) => (waiting ? waiting.push(message) : upstream.send(message)),
    };
    upstream.on('message', (reply) => {
      flow.timer.refresh();
      socket.send(reply, client.port, client.address);
    });
    // ECONNREFUSED: nothing listens on the container's port.
    upstream.on('error', end);
    upstream.connect(target.port, target.host, () => {
      for (const message of waiting ?? []) upstream.send(message);
      waiting = undefined;
    });
    flows.set(key, flow);
    return flow;
  };

  const onMessage = (message: Buffer, client: dgram.RemoteInfo) => {
    const flow = flowOf(client);
    flow.timer.refresh();
    flow.send(message);
  };
  socket.on('message', onMessage);

  return {
    get flows() {
      return flows.size;
    },
    close() {
      socket.off('message', onMessage);
      for (const { upstream, timer } of flows.values()) {
        clearTimeout(timer);
        upstream.close();
      }
      flows.clear();
    },
  };
}
