/**
 * Provided: the connection plumbing under lesson 12's attach.
 *
 * Hijacked connections: how `attach` (and later `exec start`) turn an HTTP
 * request into a raw, two-way byte stream. The frames that multiplex stdout
 * and stderr on it are encoded by `frame()` in `api/stdcopy.ts`.
 *
 * ```
 * client                                   daemon
 * POST /containers/x/attach?stream=1…  →
 *   Connection: Upgrade, Upgrade: tcp
 *                                       ←  HTTP/1.1 101 UPGRADED
 *                                          Content-Type: application/vnd.docker.raw-stream
 *                                          Connection: Upgrade
 *                                          Upgrade: tcp
 * raw stdin (optional), then FIN       →
 *                                       ←  frames: [type,0,0,0,len(4, big-endian)] payload …
 *                                       ←  FIN once the container exited
 * ```
 * A request without `Upgrade` (dockerode's exec start) gets `HTTP/1.1 200 OK`
 * with the same Content-Type and no length: the body ends when the daemon
 * closes the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Whether the request asks to switch protocols (`Connection: Upgrade` with an `Upgrade` header). */
export function wantsUpgrade(req: IncomingMessage): boolean {
  const connection = String(req.headers.connection ?? '').toLowerCase();
  return req.headers.upgrade !== undefined && connection.split(',').some((t) => t.trim() === 'upgrade');
}

// The HTTP parser node keeps on a server socket; not part of the typed API.
interface ServerSocketParser {
  _consumed?: boolean;
  unconsume?: () => void;
}

/**
 * Takes the connection of `req` away from the HTTP server and answers the
 * request by hand: `101 UPGRADED` when it asked for an upgrade, else
 * `200 OK`, both with `Content-Type: application/vnd.docker.raw-stream` and
 * the headers already set on `res` (Api-Version, Server …). Read the request
 * body (if any) before calling this.
 *
 * Why by hand: the daemon's server has no `upgrade` listener, so node treats
 * the request as an ordinary one and keeps parsing the socket. Left attached,
 * the parser would read stdin as a next request, and the server would end
 * the socket when the client half-closes (the docker CLI sends FIN right after
 * the 101 when stdin is not attached). So the parser's listeners are removed
 * and its direct read of the socket is undone, as node does for an `upgrade`.
 *
 * @returns the socket, paused; the caller writes output and reads stdin.
 *   The socket stays half-open after the client's FIN: end it when done.
 */
export function hijack(req: IncomingMessage, res: ServerResponse): Socket {
  const socket = req.socket;
  const parser = (socket as Socket & { parser?: ServerSocketParser | null }).parser;
  for (const event of ['data', 'end', 'drain', 'timeout', 'error', 'pause', 'resume']) socket.removeAllListeners(event);
  if (parser?._consumed && parser.unconsume) {
    parser.unconsume();
    parser._consumed = false;
  }
  res.detachSocket(socket);
  socket.setTimeout(0);
  socket.on('error', () => socket.destroy());

  const upgrade = wantsUpgrade(req);
  const lines = [upgrade ? 'HTTP/1.1 101 UPGRADED' : 'HTTP/1.1 200 OK', 'Content-Type: application/vnd.docker.raw-stream'];
  if (upgrade) lines.push('Connection: Upgrade', 'Upgrade: tcp');
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (name.toLowerCase() === 'content-type' || value === undefined) continue;
    lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  }
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  socket.pause();
  return socket;
}
