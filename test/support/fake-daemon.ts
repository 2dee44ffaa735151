/**
 * A fake Engine API daemon for the client lessons: a real HTTP server on a
 * real unix socket that records every request and answers with whatever the
 * check programs. Unprogrammed routes answer 404 `{"message":"page not found"}`;
 * `/_ping` answers like dockerd (`Api-Version: 1.41`) unless told otherwise.
 *
 * ```ts
 * const fake = await FakeDaemon.start();
 * fake.on('GET', '/containers/json', (req, res) => res.json(200, []));
 * // … run the client against fake.socketPath …
 * expect(fake.requests.map((r) => r.route)).toContain('/containers/json');
 * await fake.close();                     // or FakeDaemon.start(scope): the scope closes it
 * ```
 *
 * Its socket's temp dir, the server and every open connection (hijacked
 * ones too) belong to a {@link TestScope} of its own, which `close()` cleans up.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { TestScope } from './scope.js';

/** A request as the fake daemon received it. */
export interface RecordedRequest {
  method: string;
  /** The path as sent, without the query, e.g. `/v1.41/containers/json`. */
  path: string;
  /** The path without a `/v1.NN` prefix, e.g. `/containers/json`. */
  route: string;
  /** The `1.41` of a `/v1.41/` prefix, or undefined for an unversioned path. */
  version: string | undefined;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** True when the client asked for `Connection: Upgrade`. */
  upgrade: boolean;
}

/** How a handler answers. */
export interface FakeResponder {
  /** Sends a JSON body with the given status. */
  json(status: number, value: unknown, headers?: Record<string, string>): void;
  /** Sends a status with no body. */
  empty(status: number, headers?: Record<string, string>): void;
  /** Sends newline-delimited JSON objects as separate chunks, then ends. */
  lines(status: number, values: unknown[]): Promise<void>;
  /**
   * Answers a hijack: `101 UPGRADED` when the client asked to upgrade, else a
   * `200` raw-stream response without length (as dockerd does for dockerode's
   * exec start). Returns the raw socket; the handler writes output and ends it.
   * `initial` bytes go out in the same write as the response headers, so the
   * client receives them together. After an upgrade the socket also carries
   * what the client writes (stdin); after a plain 200 it is output only.
   */
  hijack(initial?: string | Buffer): Socket;
  /** The underlying response, for anything else (undefined for an upgrade request). */
  raw: ServerResponse | undefined;
}

/** A handler for one route. */
export type FakeHandler = (req: RecordedRequest, res: FakeResponder) => void | Promise<void>;

/** Encodes one multiplexed-stream frame (1 = stdout, 2 = stderr). */
export function frame(stream: 0 | 1 | 2 | 3, data: string | Buffer): Buffer {
  const payload = Buffer.isBuffer(data) ? data : Buffer.from(data);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

interface Route {
  method: string;
  route: string | RegExp;
  handler: FakeHandler;
}

/** The fake daemon. Start with {@link FakeDaemon.start}, always {@link FakeDaemon.close}. */
export class FakeDaemon {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** What `/_ping` puts in `Api-Version`; null sends no header. */
  apiVersion: string | null = '1.41';

  private readonly routes: Route[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    /** Path of the unix socket the fake listens on. */
    readonly socketPath: string,
    private readonly scope: TestScope,
  ) {}

  /** `unix://<socketPath>`, for `-H` and `MINIDOCKER_HOST`. */
  get host(): string {
    return `unix://${this.socketPath}`;
  }

  /**
   * Starts a fake daemon on a fresh socket in a temp dir.
   * @param scope when given, closes the fake at its cleanup.
   */
  static async start(scope?: TestScope): Promise<FakeDaemon> {
    const own = new TestScope();
    const socketPath = path.join(await own.tempDir('dockerlings-fake-'), 'docker.sock');
    const server = own.use(http.createServer(), 'the fake daemon');
    const fake = new FakeDaemon(socketPath, own);
    // Registered last, so it runs first: hijacked sockets are no longer the server's to close.
    own.defer(() => fake.sockets.forEach((s) => s.destroy()), 'dropping the fake daemon\'s connections');
    server.on('connection', (s: Socket) => {
      fake.sockets.add(s);
      s.on('close', () => fake.sockets.delete(s));
    });
    server.on('request', (req, res) => void fake.dispatch(req, res, undefined));
    server.on('upgrade', (req, socket: Socket, head: Buffer) => void fake.dispatch(req, undefined, { socket, head }));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(socketPath, resolve);
      });
    } catch (err) {
      await own.cleanup();
      throw err;
    }
    return scope === undefined ? fake : scope.use(fake, 'the fake daemon');
  }

  /** Programs a route; `route` matches the unversioned path. Later calls win over earlier ones. */
  on(method: string, route: string | RegExp, handler: FakeHandler): this {
    this.routes.unshift({ method, route, handler });
    return this;
  }

  /** The recorded requests, minus pings. */
  calls(): RecordedRequest[] {
    return this.requests.filter((r) => r.route !== '/_ping');
  }

  /** Drops open connections, stops the server and removes the temp dir; again is a no-op. */
  close(): Promise<void> {
    return this.scope.cleanup();
  }

  private async dispatch(
    req: http.IncomingMessage,
    res: ServerResponse | undefined,
    upgraded: { socket: Socket; head: Buffer } | undefined,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    const body = upgraded ? await readUpgradeBody(req, upgraded) : await readBody(req);
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      route: m?.[2] ?? url.pathname,
      version: m?.[1],
      query: url.searchParams,
      headers: req.headers,
      body,
      upgrade: upgraded !== undefined,
    };
    this.requests.push(recorded);
    const responder = makeResponder(res, upgraded?.socket);
    const found = this.routes.find(
      (r) =>
        r.method === recorded.method &&
        (typeof r.route === 'string' ? r.route === recorded.route : r.route.test(recorded.route)),
    );
    try {
      if (found) await found.handler(recorded, responder);
      else if (recorded.route === '/_ping' && (recorded.method === 'GET' || recorded.method === 'HEAD')) this.ping(recorded, res);
      else responder.json(404, { message: 'page not found' });
    } catch (err) {
      responder.json(500, { message: `fake daemon handler failed: ${(err as Error).message}` });
    }
  }

  private ping(req: RecordedRequest, res: ServerResponse | undefined): void {
    if (!res) return;
    const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', Ostype: 'linux', 'Docker-Experimental': 'false' };
    if (this.apiVersion !== null) headers['Api-Version'] = this.apiVersion;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : 'OK');
  }
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// An upgrade request's body (exec start sends JSON) arrives in `head` and then on the socket.
// Read it with read() rather than 'data' so the socket is not left flowing with nobody listening:
// whatever the client writes next (stdin) stays buffered for the handler.
async function readUpgradeBody(req: http.IncomingMessage, up: { socket: Socket; head: Buffer }): Promise<Buffer> {
  const length = Number(req.headers['content-length'] ?? 0);
  const { socket } = up;
  let body = up.head;
  while (body.length < length) {
    const chunk = socket.read() as Buffer | null;
    if (chunk !== null) {
      body = Buffer.concat([body, chunk]);
      continue;
    }
    if (socket.readableEnded || socket.destroyed) break;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('readable', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('readable', done);
      socket.on('close', done);
    });
  }
  if (body.length > length) socket.unshift(body.subarray(length));
  return body.subarray(0, length);
}

function makeResponder(res: ServerResponse | undefined, socket: Socket | undefined): FakeResponder {
  const write = (status: number, headers: Record<string, string>, payload?: string) => {
    if (res) {
      res.writeHead(status, headers);
      res.end(payload);
      return;
    }
    // An upgrade request answered with a plain response.
    const lines = [`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`];
    for (const [k, v] of Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(payload ?? '')) })) lines.push(`${k}: ${v}`);
    socket?.end(`${lines.join('\r\n')}\r\n\r\n${payload ?? ''}`);
  };
  return {
    raw: res,
    json: (status, value, headers = {}) => write(status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value)),
    empty: (status, headers = {}) => write(status, headers),
    async lines(status, values) {
      if (!res) throw new Error('lines() needs a plain request');
      res.writeHead(status, { 'Content-Type': 'application/json' });
      for (const v of values) {
        res.write(`${JSON.stringify(v)}\r\n`);
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    },
    hijack(initial = '') {
      const after = Buffer.isBuffer(initial) ? initial : Buffer.from(initial);
      if (socket) {
        const head = 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
        socket.write(Buffer.concat([Buffer.from(head), after]));
        return socket;
      }
      if (!res) throw new Error('no connection to hijack');
      const raw = res.socket as Socket;
      const head = 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\nApi-Version: 1.41\r\n\r\n';
      raw.write(Buffer.concat([Buffer.from(head), after]));
      // The response object is done with: from here on the socket is ours.
      res.detachSocket(raw);
      return raw;
    },
  };
}
