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
import { NotImplementedError } from '../errors.js';

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
  // TODO(lesson-14): Open one connection to the target and copy bytes both ways, each direction ending on its own, the connect with a deadline.
  // HINT: net.connect({ host, port, allowHalfOpen: true }), and a timer that destroys it unless 'connect' comes first.
  // HINT: client.pipe(upstream) and upstream.pipe(client) pass each FIN on; pipe() passes no errors: an 'error' on one side destroys the other.
  // HINT: resolve once both sockets have emitted 'close'.
  void client, target, options;
  throw new NotImplementedError('lesson-14: forwardConnection');
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
  // TODO(lesson-14): Give each client (address and port) its own upstream UDP socket connected to the target, and send its answers back to it from `socket`.
  // HINT: a Map keyed by `${address} ${port}`; dgram.createSocket('udp4'), connect(target.port, target.host): keep what arrives before its callback, send it then.
  // HINT: a flow closes after idleTimeoutMs without a datagram either way (timer.refresh()) or on its socket's 'error'; close() ends them all.
  void socket, target, options;
  throw new NotImplementedError('lesson-14: relayDatagrams');
}
