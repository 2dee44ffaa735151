/**
 * Lesson 01 — client: transport. Every check drives the learner's EngineClient
 * (or the stdcopy decoder) against a fake daemon on a real unix socket that
 * records what it receives.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { CLIENT_MAX_API_VERSION, EngineClient } from '#kata/client/engine-client.js';
import { errorFromResponse } from '#kata/client/errors.js';
import { demultiplex, readFrames } from '#kata/client/stdcopy.js';
import type { Frame } from '#kata/client/stdcopy.js';
import { ConflictError, DaemonUnreachableError, InvalidParameterError, NotFoundError, NotModifiedError, RequestTooLargeError, SystemError } from '#kata/errdefs.js';
import { FakeDaemon, frame } from '../support/fake-daemon.js';
import type { RecordedRequest } from '../support/fake-daemon.js';
import { describeError, rejectionOf } from '../support/outcomes.js';
import { readAll } from '../support/bytes.js';

const CLIENT = 'src/client/engine-client.ts';
const TRANSPORT = 'src/client/http-transport.ts';
const ERRORS = 'src/client/errors.ts';
const STDCOPY = 'src/client/stdcopy.ts';

let cleanups: Array<() => unknown> = [];
afterEach(async () => {
  const pending = cleanups.reverse();
  cleanups = [];
  for (const cleanup of pending) await cleanup();
});

async function startFake(): Promise<FakeDaemon> {
  const fake = await FakeDaemon.start();
  cleanups.push(() => fake.close());
  return fake;
}

function clientFor(fake: FakeDaemon, options: { version?: string; userAgent?: string } = {}): EngineClient {
  return new EngineClient({ socketPath: fake.socketPath, ...options });
}

function pings(fake: FakeDaemon): RecordedRequest[] {
  return fake.requests.filter((r) => r.route === '/_ping');
}

async function* pieces(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

function sink(): { writable: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const writable = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(Buffer.from(chunk));
      callback();
    },
  });
  return { writable, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('lesson 01 — client: transport', () => {
  it('negotiates the API version from /_ping once (unless one is pinned) and prefixes every path with it', async () => {
    const fake = await startFake();
    fake.apiVersion = '1.30';
    fake.on('GET', '/containers/json', (_req, res) => res.json(200, []));
    fake.on('GET', '/version', (_req, res) => res.json(200, { ApiVersion: '1.30' }));

    const client = clientFor(fake);
    await client.json('GET', '/containers/json');
    await client.json('GET', '/version');

    const first = fake.requests[0];
    expect(
      first && `${first.method} ${first.path}`,
      `the first request must be the unversioned ping "HEAD /_ping" (${CLIENT}: EngineClient.negotiate → ping)`,
    ).toBe('HEAD /_ping');
    expect(pings(fake).length, `negotiate() should ping once and remember the version (${CLIENT}: EngineClient.negotiate)`).toBe(1);
    expect(
      fake.calls().map((r) => r.path),
      `the daemon answered Api-Version: 1.30, so every path starts with /v1.30 (${CLIENT}: EngineClient.request)`,
    ).toEqual(['/v1.30/containers/json', '/v1.30/version']);
    expect(await client.negotiate(), `negotiate() resolves with the version it uses (${CLIENT})`).toBe('1.30');

    const pinned = clientFor(fake, { version: '1.38' });
    await pinned.json('GET', '/containers/json');
    expect(pings(fake).length, `a client given { version: '1.38' } uses it without pinging (${CLIENT}: EngineClient.negotiate)`).toBe(1);
    expect(fake.calls().at(-1)?.path, `a pinned version prefixes the path too (${CLIENT})`).toBe('/v1.38/containers/json');
  });

  it('falls back to 1.24 when the daemon sends no Api-Version', async () => {
    const fake = await startFake();
    fake.apiVersion = null;
    fake.on('GET', '/info', (_req, res) => res.json(200, {}));

    const client = clientFor(fake);
    await client.json('GET', '/info');
    expect(
      fake.calls()[0]?.path,
      `with no Api-Version header on /_ping, use FALLBACK_API_VERSION from src/api/types.ts (${CLIENT}: EngineClient.negotiate)`,
    ).toBe('/v1.24/info');
  });

  it("never goes above the client's own maximum and compares versions as numbers (1.99 → 1.41, 1.9 stays 1.9)", async () => {
    const fake = await startFake();
    fake.on('GET', '/info', (_req, res) => res.json(200, {}));
    expect(CLIENT_MAX_API_VERSION, `CLIENT_MAX_API_VERSION stays '1.41' (${CLIENT})`).toBe('1.41');

    fake.apiVersion = '1.99';
    await clientFor(fake).json('GET', '/info');
    expect(
      fake.calls().at(-1)?.path,
      `a daemon offering 1.99 gets the client's maximum, 1.41 (${CLIENT}: EngineClient.negotiate)`,
    ).toBe('/v1.41/info');

    fake.apiVersion = '1.9';
    await clientFor(fake).json('GET', '/info');
    expect(
      fake.calls().at(-1)?.path,
      `1.9 is OLDER than 1.41: compare major and minor as numbers, not as strings or floats (${CLIENT}: EngineClient.negotiate)`,
    ).toBe('/v1.9/info');
  });

  it('retries the ping with GET when HEAD is refused (405)', async () => {
    const fake = await startFake();
    fake.apiVersion = '1.35';
    fake.on('HEAD', '/_ping', (_req, res) => res.empty(405));
    fake.on('GET', '/info', (_req, res) => res.json(200, {}));

    const ping = await clientFor(fake).ping();
    expect(
      pings(fake).map((r) => r.method),
      `HEAD /_ping answered 405, so ping() should try GET /_ping next (${CLIENT}: EngineClient.ping)`,
    ).toEqual(['HEAD', 'GET']);
    expect(ping.apiVersion, `ping() reads Api-Version from the GET answer (${CLIENT}: EngineClient.ping)`).toBe('1.35');
    expect(ping.osType, `ping() reads the Ostype header (${CLIENT}: EngineClient.ping)`).toBe('linux');

    await clientFor(fake).json('GET', '/info');
    expect(fake.calls().at(-1)?.path, `negotiation uses the version from the GET ping (${CLIENT})`).toBe('/v1.35/info');
  });

  it('sends JSON bodies and query parameters the way docker does', async () => {
    const fake = await startFake();
    fake.on('POST', '/containers/create', (_req, res) => res.json(201, { Id: 'c0ffee', Warnings: [] }));

    const client = clientFor(fake, { userAgent: 'dockerlings-check/1.0' });
    const body = { Image: 'busybox', Cmd: ['echo', 'hi'], HostConfig: { AutoRemove: true } };
    const created = await client.json<{ Id: string }>('POST', '/containers/create', {
      query: { name: 'web', all: true, force: false, signal: undefined, Cmd: ['sh', '-c'], limit: 5, fromImage: '127.0.0.1:5000/x' },
      body,
    });
    expect(created?.Id, `json() should resolve with the parsed 201 body (${CLIENT}: EngineClient.json)`).toBe('c0ffee');

    const call = fake.calls()[0];
    expect(call?.path, `POST goes to the versioned path (${CLIENT}: EngineClient.request)`).toBe('/v1.41/containers/create');
    expect(String(call?.headers['content-type']), `a body is sent with Content-Type: application/json (${TRANSPORT}: openRequest)`).toMatch(
      /^application\/json/,
    );
    expect(JSON.parse(call?.body.toString() || 'null'), `the body is the JSON of options.body (${TRANSPORT}: openRequest)`).toEqual(body);
    expect(call?.headers['user-agent'], `the userAgent option becomes the User-Agent header (${CLIENT})`).toBe('dockerlings-check/1.0');
    const q = call?.query ?? new URLSearchParams();
    expect(q.get('name'), `strings travel as they are (${TRANSPORT}: encodeQuery)`).toBe('web');
    expect(q.get('all'), `true travels as "1", like docker's ?all=1 (${TRANSPORT}: encodeQuery)`).toBe('1');
    expect(q.get('force'), `false travels as "0" (${TRANSPORT}: encodeQuery)`).toBe('0');
    expect(q.has('signal'), `undefined values are left out of the query (${TRANSPORT}: encodeQuery)`).toBe(false);
    expect(q.getAll('Cmd'), `an array repeats its key: ?Cmd=sh&Cmd=-c (${TRANSPORT}: encodeQuery)`).toEqual(['sh', '-c']);
    expect(q.get('limit'), `numbers travel as decimal text (${TRANSPORT}: encodeQuery)`).toBe('5');
    expect(q.get('fromImage'), `values are URL-encoded, so ":" and "/" survive (${TRANSPORT}: encodeQuery)`).toBe('127.0.0.1:5000/x');
  });

  it('reads JSON replies, and nothing for 204 and 304', async () => {
    const fake = await startFake();
    const list = [{ Id: 'a1', Names: ['/web'], State: 'running' }];
    fake.on('GET', '/containers/json', (_req, res) => res.json(200, list));
    fake.on('POST', '/containers/a1/start', (_req, res) => res.empty(204));
    fake.on('POST', '/containers/a1/stop', (_req, res) => res.empty(304));

    const client = clientFor(fake);
    expect(await client.json('GET', '/containers/json'), `json() parses the body (${CLIENT}: EngineClient.json)`).toEqual(list);
    expect(
      await client.json('POST', '/containers/a1/start'),
      `204 No Content has no body: json() resolves with undefined (${CLIENT}: EngineClient.json)`,
    ).toBeUndefined();
    const stopped = await client.json('POST', '/containers/a1/stop').then(
      (value) => ({ value }),
      (err: unknown) => ({ err }),
    );
    expect(
      stopped,
      `304 Not Modified ("already stopped") is not an error: only status ≥ 400 throws (${CLIENT}: EngineClient.request / json)`,
    ).toEqual({ value: undefined });
  });

  it('streams a response as it arrives (first chunk readable before the daemon ends it)', async () => {
    const fake = await startFake();
    let ended = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.on('GET', '/containers/a1/logs', async (_req, res) => {
      const raw = res.raw!;
      raw.writeHead(200, { 'Content-Type': 'text/plain' });
      raw.write('first line\n');
      // Only so that a client which waits for the end still finishes; the check looks at the order.
      const fallback = setTimeout(release, 3000);
      await released;
      clearTimeout(fallback);
      ended = true;
      raw.end('second line\n');
    });
    cleanups.push(() => release());

    const res = await clientFor(fake).request('GET', '/containers/a1/logs', { query: { follow: true, stdout: true } });
    const chunks = res[Symbol.asyncIterator]();
    const first = await chunks.next();
    const endedBeforeFirstChunk = ended;
    release();
    let rest = '';
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) rest += String(next.value);

    expect(String(first.value), `the first chunk of the body is "first line\\n" (${CLIENT}: EngineClient.request)`).toBe('first line\n');
    expect(
      endedBeforeFirstChunk,
      `request() must resolve when the headers arrive and let the caller read the body as it comes, not wait for the end (${CLIENT}: EngineClient.request)`,
    ).toBe(false);
    expect(rest, 'the rest of the body follows').toBe('second line\n');
  });

  it('turns {message} errors into typed errors that carry the status code (404 → NotFoundError, 409 → ConflictError, 500 → SystemError)', async () => {
    const fake = await startFake();
    fake.on('GET', '/containers/nosuch/json', (_req, res) => res.json(404, { message: 'No such container: nosuch' }));
    fake.on('POST', '/containers/create', (_req, res) => res.json(409, { message: 'Conflict. The container name "/web" is already in use' }));
    fake.on('GET', '/info', (_req, res) => res.json(500, { message: 'boom' }));
    fake.on('POST', '/images/create', (_req, res) => res.json(400, { message: 'invalid reference format' }));
    fake.on('DELETE', '/images/x', (_req, res) => {
      res.raw!.writeHead(500, { 'Content-Type': 'text/plain' });
      res.raw!.end('plain text failure\n');
    });
    const client = clientFor(fake);

    const cases: Array<[() => Promise<unknown>, new (...args: never[]) => Error, number, string]> = [
      [() => client.json('GET', '/containers/nosuch/json'), NotFoundError, 404, 'No such container: nosuch'],
      [() => client.json('POST', '/containers/create', { body: {} }), ConflictError, 409, 'Conflict. The container name "/web" is already in use'],
      [() => client.json('GET', '/info'), SystemError, 500, 'boom'],
      [() => client.request('POST', '/images/create'), InvalidParameterError, 400, 'invalid reference format'],
      [() => client.json('DELETE', '/images/x'), SystemError, 500, 'plain text failure'],
    ];
    for (const [call, kind, status, message] of cases) {
      // One call at a time: a failing case must not leave the others' rejections unhandled.
      const err = await rejectionOf(call());
      expect(
        err instanceof kind,
        `status ${status} should reject with ${kind.name} from src/errdefs.ts, got ${describeError(err)} (${CLIENT}: request → ${ERRORS}: errorFromResponse)`,
      ).toBe(true);
      expect((err as { statusCode?: number }).statusCode, `the error keeps statusCode ${status} (${ERRORS}: errorFromResponse)`).toBe(status);
      expect(
        (err as Error).message,
        `the message is the daemon's {"message"}, or the body text when it is not JSON (${ERRORS}: errorFromResponse)`,
      ).toBe(message);
    }

    const notModified = errorFromResponse(304, '');
    expect(notModified instanceof NotModifiedError, `304 maps to NotModifiedError (${ERRORS}: errorFromResponse)`).toBe(true);
    expect(notModified.message, `with an empty body the message is the status text (${ERRORS}: errorFromResponse)`).toBe('Not Modified');
    const tooLarge = errorFromResponse(413, '{"message":"request body is larger than 1048576 bytes"}');
    expect(tooLarge instanceof RequestTooLargeError, `413 maps to RequestTooLargeError, the daemon's answer to a body over its cap (${ERRORS}: errorFromResponse)`).toBe(true);
  });

  it('reports a daemon that is not running as DaemonUnreachableError', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-01-'));
    cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));

    const missing = path.join(dir, 'nobody.sock');
    const noFile = await rejectionOf(new EngineClient({ socketPath: missing }).ping());
    expect(
      noFile instanceof DaemonUnreachableError,
      `no socket file (ENOENT) should reject with DaemonUnreachableError, got ${describeError(noFile)} (${TRANSPORT}: connectionError)`,
    ).toBe(true);
    expect((noFile as DaemonUnreachableError).host, `the error names the address tried (${TRANSPORT}: connectionError)`).toBe(
      `unix://${missing}`,
    );

    // A socket file nobody listens on: listen, keep a hard link, stop listening.
    const live = path.join(dir, 'live.sock');
    const stale = path.join(dir, 'stale.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(live, resolve));
    await fs.link(live, stale);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const refused = await rejectionOf(new EngineClient({ socketPath: stale }).json('GET', '/info'));
    expect(
      refused instanceof DaemonUnreachableError,
      `a socket nobody listens on (ECONNREFUSED) should reject with DaemonUnreachableError, got ${describeError(refused)} (${TRANSPORT}: connectionError)`,
    ).toBe(true);
  });

  it('reads newline-delimited JSON progress across chunk boundaries', async () => {
    const fake = await startFake();
    const e = Buffer.from('é'); // two bytes: a chunk boundary may fall between them
    const parts: Buffer[] = [
      Buffer.from('{"status":"Pulling fs la'),
      Buffer.from('yer","id":"a1"}\n{"status":"Downloading","progressDetail":{"current":1'),
      Buffer.from(',"total":2},"id":"a1"}\r\n\r\n{"status":"caf'),
      Buffer.concat([Buffer.from('"}\n{"status":"caf'), e.subarray(0, 1)]),
      Buffer.concat([e.subarray(1), Buffer.from('"}\n{"errorDetail":{"message":"boom"},"error":"boom"}\n{"status":"no newline at the end"}')]),
    ];
    fake.on('POST', '/images/create', async (_req, res) => {
      const raw = res.raw!;
      raw.writeHead(200, { 'Content-Type': 'application/json' });
      for (const part of parts) {
        raw.write(part);
        await new Promise((resolve) => setTimeout(resolve, 15)); // separate chunks on the wire
      }
      raw.end();
    });

    const seen: unknown[] = [];
    for await (const message of clientFor(fake).jsonLines('POST', '/images/create', { query: { fromImage: 'busybox', tag: 'latest' } })) {
      seen.push(message);
    }
    expect(fake.calls()[0]?.path, `jsonLines() sends a versioned request too (${CLIENT})`).toBe('/v1.41/images/create');
    expect(
      seen,
      `one object per line, even when a line (or a UTF-8 character) is split across chunks; blank lines skipped; the last line needs no newline; error lines are yielded, not thrown (${CLIENT}: EngineClient.jsonLines)`,
    ).toEqual([
      { status: 'Pulling fs layer', id: 'a1' },
      { status: 'Downloading', progressDetail: { current: 1, total: 2 }, id: 'a1' },
      { status: 'caf' },
      { status: 'café' },
      { errorDetail: { message: 'boom' }, error: 'boom' },
      { status: 'no newline at the end' },
    ]);
  });

  it('upgrades attach to a raw duplex stream after 101 UPGRADED, keeping bytes that came with the headers', async () => {
    const fake = await startFake();
    let stdin: Promise<Buffer> | undefined;
    fake.on('POST', '/containers/a1/attach', async (_req, res) => {
      // The first frame leaves in the same write as the 101 response.
      const socket = res.hijack(frame(1, 'hello from the container\n'));
      stdin = readAll(socket);
      const received = await stdin;
      socket.end(Buffer.concat([frame(2, `got ${received.toString()}`), frame(1, 'bye\n')]));
    });

    const conn = await clientFor(fake).hijack('POST', '/containers/a1/attach', {
      query: { stream: true, stdin: true, stdout: true, stderr: true },
    });
    conn.end('typed input\n');
    const output = await readAll(conn);

    const call = fake.calls()[0];
    expect(call?.path, `hijack() sends a versioned request (${CLIENT}: EngineClient.hijack)`).toBe('/v1.41/containers/a1/attach');
    expect(String(call?.headers.connection), `hijack() asks for Connection: Upgrade (${CLIENT}: EngineClient.hijack)`).toMatch(/upgrade/i);
    expect(call?.headers.upgrade, `hijack() asks for Upgrade: tcp (${CLIENT}: EngineClient.hijack)`).toBe('tcp');
    expect(call?.query.get('stream'), `the query travels as for request() (${TRANSPORT}: encodeQuery)`).toBe('1');
    expect((await stdin)?.toString(), 'what the client writes on the stream reaches the daemon raw').toBe('typed input\n');
    expect(
      output.subarray(0, frame(1, 'hello from the container\n').length).toString('latin1'),
      `the bytes that arrived with the 101 headers come first: push "head" back with socket.unshift(head) (${CLIENT}: EngineClient.hijack)`,
    ).toBe(frame(1, 'hello from the container\n').toString('latin1'));
    expect(output.toString('latin1'), 'the whole output arrives, the daemon writing after the client half-closed').toBe(
      Buffer.concat([frame(1, 'hello from the container\n'), frame(2, 'got typed input\n'), frame(1, 'bye\n')]).toString('latin1'),
    );
  });

  it('refuses a hijack answered with anything but 101', async () => {
    const fake = await startFake();
    fake.on('POST', '/containers/a1/attach', (_req, res) => res.json(200, {}));
    fake.on('POST', '/exec/e1/start', (_req, res) => res.json(404, { message: 'No such exec instance: e1' }));
    const client = clientFor(fake);

    const ok = await rejectionOf(client.hijack('POST', '/containers/a1/attach'));
    expect(
      describeError(ok),
      `a 200 is not an upgrade: reject with "unable to upgrade to tcp, received 200" (${CLIENT}: EngineClient.hijack)`,
    ).toMatch(/unable to upgrade to tcp, received 200/);
    const missing = await rejectionOf(client.hijack('POST', '/exec/e1/start', { body: { Detach: false, Tty: false } }));
    expect(
      describeError(missing),
      `a 404 is not an upgrade either: "unable to upgrade to tcp, received 404" (${CLIENT}: EngineClient.hijack)`,
    ).toMatch(/unable to upgrade to tcp, received 404/);
  });

  it('decodes multiplexed frames into stdout and stderr, even split byte by byte', async () => {
    const medium = 'm'.repeat(300); // a length above 255 needs two bytes of the header
    const large = 'L'.repeat(70_000); // and above 65535, three
    const wire = Buffer.concat([
      frame(1, 'hi\n'),
      frame(2, 'err1\n'),
      frame(1, medium),
      frame(3, 'daemon trouble\n'),
      frame(1, large),
      frame(1, ''),
    ]);
    const small = wire.subarray(0, wire.length - 8 - 70_008);
    const frames: Frame[] = [];
    for await (const f of readFrames(pieces(small, 1))) frames.push(f);
    expect(
      frames.map((f) => `${f.stream}:${f.payload.toString()}`),
      `fed one byte at a time, readFrames waits for each complete header + payload; the length is big-endian (${STDCOPY}: readFrames)`,
    ).toEqual(['stdout:hi\n', 'stderr:err1\n', `stdout:${medium}`, 'systemerr:daemon trouble\n']);

    const all: Frame[] = [];
    for await (const f of readFrames(pieces(wire, 4096))) all.push(f);
    expect(
      all.map((f) => `${f.stream}:${f.payload.length}`),
      `a 70000-byte frame is read whole, and a zero-length frame at the end is a frame too (${STDCOPY}: readFrames)`,
    ).toEqual(['stdout:3', 'stderr:5', 'stdout:300', 'systemerr:15', 'stdout:70000', 'stdout:0']);

    const out = sink();
    const err = sink();
    await demultiplex(Readable.from([wire]), out.writable, err.writable);
    expect(out.text(), `stdout frames go to stdout, in order (${STDCOPY}: demultiplex)`).toBe(`hi\n${medium}${large}`);
    expect(err.text(), `stderr and systemerr frames go to stderr (${STDCOPY}: demultiplex)`).toBe('err1\ndaemon trouble\n');
  });

  it('rejects unknown frame types and streams cut off inside a frame', async () => {
    const decode = async (chunks: Buffer[]) => {
      const seen: string[] = [];
      const err = await rejectionOf(
        (async () => {
          for await (const f of readFrames(Readable.from(chunks))) seen.push(f.payload.toString());
        })(),
      );
      return { seen, err };
    };
    const unknown = await decode([frame(1, 'ok\n'), Buffer.from([9, 0, 0, 0, 0, 0, 0, 1]), Buffer.from('x')]);
    expect(unknown.seen, `frames before the bad one are still yielded (${STDCOPY}: readFrames)`).toEqual(['ok\n']);
    expect(describeError(unknown.err), `type byte 9 is no stream: throw an Error (${STDCOPY}: readFrames)`).not.toMatch(
      /resolved without an error|not implemented/,
    );

    const cut = frame(2, 'hello');
    const inPayload = await decode([frame(1, 'ok\n'), cut.subarray(0, cut.length - 2)]);
    expect(inPayload.seen, `frames before the cut are still yielded (${STDCOPY}: readFrames)`).toEqual(['ok\n']);
    expect(describeError(inPayload.err), `a stream that ends inside a payload must throw (${STDCOPY}: readFrames)`).not.toMatch(
      /resolved without an error|not implemented/,
    );

    const inHeader = await decode([frame(1, 'ok\n'), cut.subarray(0, 5)]);
    expect(describeError(inHeader.err), `a stream that ends inside a header must throw (${STDCOPY}: readFrames)`).not.toMatch(
      /resolved without an error|not implemented/,
    );
  });

  it('waits for a slow writer before writing more (backpressure)', async () => {
    const written: Buffer[] = [];
    let writesWhileFull = 0;
    const slow = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _encoding, callback) {
        written.push(Buffer.from(chunk));
        setImmediate(callback); // a terminal that takes its time
      },
    });
    const write = slow.write.bind(slow) as (chunk: Buffer) => boolean;
    slow.write = ((chunk: Buffer) => {
      if (slow.writableNeedDrain) writesWhileFull++;
      return write(chunk);
    }) as typeof slow.write;
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}\n`);

    await demultiplex(Readable.from([Buffer.concat(lines.map((l) => frame(1, l)))]), slow, sink().writable);
    expect(Buffer.concat(written).toString(), `every payload arrives, in order (${STDCOPY}: demultiplex)`).toBe(lines.join(''));
    expect(
      writesWhileFull,
      `when write() returns false, wait for 'drain' before the next write (${STDCOPY}: demultiplex)`,
    ).toBe(0);
  });
});
