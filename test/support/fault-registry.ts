/**
 * A small in-memory OCI registry for the registry client's checks: it serves
 * what it is given, accepts pushes, records every request, and misbehaves on
 * demand.
 *
 * ```
 * GET  /v2/                                   200 {}
 * GET  /v2/<name>/manifests/<ref>  HEAD too   by tag or digest; 404 when Accept lacks the media type (as distribution does)
 * GET  /v2/<name>/blobs/<digest>   HEAD too   blobs are shared by every repository
 * POST /v2/<name>/blobs/uploads/              202 + Location (…?_state=N); ?mount=&from= → 201; ?digest= → monolithic
 * PATCH <location>                            Content-Range must continue the upload (else 416); 202 + a new Location
 * PUT  <location>?digest=                     the rest of the body; 201, or 400 DIGEST_INVALID
 * PUT  /v2/<name>/manifests/<ref>             400 MANIFEST_BLOB_UNKNOWN when a blob it names is missing
 * GET  /token?service=&scope=                 the token endpoint, in Bearer mode
 * ```
 * Faults ({@link Fault}) apply to GETs of one blob or manifest: `tamper`
 * serves other bytes under the same name, `truncate` announces the full
 * Content-Length and closes the connection halfway, `status` answers with an
 * error status (a 500) instead.
 *
 * ```ts
 * const registry = await FaultRegistry.start({ scope });   // the scope closes it; or call close()
 * registry.inject({ kind: 'truncate', target: layerDigest, times: 1 });
 * ```
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { digestOf } from '../../solutions/image/digest.js';
import type { Digest } from '../../solutions/image/digest.js';
import type { Descriptor, Index } from '../../solutions/image/types.js';
import { TestScope } from './scope.js';

/** Misbehaviour for GETs whose path ends with `/<target>` (a blob digest, a manifest digest or a tag). */
export interface Fault {
  kind: 'tamper' | 'truncate' | 'status';
  target: string;
  /** For `status`: the status to answer (500 unless given). */
  status?: number;
  /** How many requests it applies to; every one unless given. */
  times?: number;
}

/** Optional authentication, like a real registry's. */
export type FaultAuth =
  | { scheme: 'basic'; username: string; password: string }
  | { scheme: 'bearer'; username?: string; password?: string; service?: string; tokenField?: 'token' | 'access_token' };

/** One request as the registry saw it. */
export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Bytes of the request body. */
  bodyLength: number;
  /** The status answered. */
  status: number;
}

interface Upload {
  repository: string;
  parts: Buffer[];
  size: number;
  state: number;
}

const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
const fail = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(res, status, { errors: [{ code, message, detail: null }] }, headers);

/** The registry; start it with {@link FaultRegistry.start}, stop it with {@link FaultRegistry.close}. */
export class FaultRegistry {
  /** Every request except the token endpoint's, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The token endpoint's requests (Bearer mode). */
  readonly tokenRequests: RecordedRequest[] = [];
  /** Blobs by digest. */
  readonly blobs = new Map<string, Buffer>();
  /** Manifests by `<repository>:<tag or digest>`. */
  readonly manifests = new Map<string, { mediaType: string; bytes: Buffer }>();
  readonly #faults: Fault[] = [];
  readonly #uploads = new Map<string, Upload>();
  readonly #tokens = new Map<string, string[]>();
  readonly #server: http.Server;
  readonly #scope = new TestScope();
  readonly #auth: FaultAuth | undefined;
  /** `127.0.0.1:<port>`: the registry's host, as a client names it. */
  host = '';

  private constructor(auth: FaultAuth | undefined) {
    this.#auth = auth;
    this.#server = http.createServer((req, res) => void this.#handle(req, res).catch((err: Error) => fail(res, 500, 'UNKNOWN', err.message)));
  }

  /**
   * Starts a registry on 127.0.0.1 and a port the OS picks.
   * @param options.scope when given, closes the registry at its cleanup.
   */
  static async start(options: { auth?: FaultAuth; scope?: TestScope } = {}): Promise<FaultRegistry> {
    const registry = new FaultRegistry(options.auth);
    await new Promise<void>((resolve) => registry.#server.listen(0, '127.0.0.1', resolve));
    registry.#scope.use(registry.#server, 'the fault registry');
    registry.host = `127.0.0.1:${(registry.#server.address() as AddressInfo).port}`;
    return options.scope === undefined ? registry : options.scope.use(registry, `the fault registry at ${registry.host}`);
  }

  /** Drops its connections and stops the server; again is a no-op. */
  close(): Promise<void> {
    return this.#scope.cleanup();
  }

  /** Adds a fault; faults are tried in the order added. */
  inject(fault: Fault): void {
    this.#faults.push({ ...fault });
  }

  /** Stores a blob and returns its digest. */
  addBlob(bytes: Buffer | string): Digest {
    const data = Buffer.from(bytes);
    const digest = digestOf(data);
    this.blobs.set(digest, data);
    return digest;
  }

  /** Stores a manifest or index under `tag` (and its digest) in `repository`. */
  addManifest(repository: string, tag: string | undefined, mediaType: string, bytes: Buffer | string): Descriptor {
    const data = Buffer.from(bytes);
    const digest = digestOf(data);
    const entry = { mediaType, bytes: data };
    this.manifests.set(`${repository}:${digest}`, entry);
    if (tag !== undefined) this.manifests.set(`${repository}:${tag}`, entry);
    return { mediaType, digest, size: data.length };
  }

  /**
   * Serves the image an OCI layout tags `ref` as `repository:tag`: every blob
   * of the layout, and its manifest.
   * @returns the manifest's descriptor.
   */
  async addLayout(layoutDir: string, ref: string, repository: string, tag: string): Promise<Descriptor> {
    const dir = path.join(layoutDir, 'blobs', 'sha256');
    for (const name of await fs.readdir(dir)) this.addBlob(await fs.readFile(path.join(dir, name)));
    const index = JSON.parse(await fs.readFile(path.join(layoutDir, 'index.json'), 'utf8')) as Index;
    const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref);
    if (entry === undefined) throw new Error(`${layoutDir} has no ref ${ref}`);
    const bytes = this.blobs.get(entry.digest);
    if (bytes === undefined) throw new Error(`${layoutDir} lacks its manifest blob`);
    return this.addManifest(repository, tag, entry.mediaType, bytes);
  }

  /** The recorded requests of one method whose path ends with `suffix`. */
  requestsTo(method: string, suffix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.endsWith(suffix));
  }

  #fault(path: string): Fault | undefined {
    const fault = this.#faults.find((f) => path.endsWith(`/${f.target}`) && (f.times === undefined || f.times > 0));
    if (fault?.times !== undefined) fault.times--;
    return fault;
  }

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${this.host}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, bodyLength: body.length, status: 0 };
    res.on('finish', () => (record.status = res.statusCode));
    res.on('close', () => (record.status ||= res.statusCode));
    if (url.pathname === '/token') {
      this.tokenRequests.push(record);
      return this.#token(req, url, res);
    }
    this.requests.push(record);
    if (!this.#authorized(req, url, res)) return;
    if (url.pathname === '/v2/' || url.pathname === '/v2') return json(res, 200, {});

    let m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname);
    if (m) return this.#upload(req, res, url, m[1] ?? '', m[2] ?? '', body);
    m = /^\/v2\/(.+)\/(blobs|manifests)\/([^/]+)$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'UNSUPPORTED', `no route for ${req.method} ${url.pathname}`);
    const [, repository = '', kind, ref = ''] = m;
    if (kind === 'manifests' && req.method === 'PUT') return this.#putManifest(req, res, repository, ref, body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'UNSUPPORTED', `${req.method} is not supported here`);

    const fault = req.method === 'GET' ? this.#fault(url.pathname) : undefined;
    if (fault?.kind === 'status') return fail(res, fault.status ?? 500, 'UNKNOWN', 'injected failure');
    let content: Buffer;
    let mediaType = 'application/octet-stream';
    if (kind === 'blobs') {
      const blob = this.blobs.get(ref);
      if (blob === undefined) return fail(res, 404, 'BLOB_UNKNOWN', `blob unknown to registry: ${ref}`);
      content = blob;
    } else {
      const manifest = this.manifests.get(`${repository}:${ref}`);
      if (manifest === undefined) return fail(res, 404, 'MANIFEST_UNKNOWN', `manifest unknown: ${repository}:${ref}`);
      // Like distribution: only the media types the client lists are served; */* does not count.
      const accepted = String(req.headers.accept ?? '').split(',').map((t) => t.split(';')[0]?.trim());
      if (!accepted.includes(manifest.mediaType)) {
        return fail(res, 404, 'MANIFEST_UNKNOWN', `${manifest.mediaType} found, but the Accept header does not list it`);
      }
      content = manifest.bytes;
      mediaType = manifest.mediaType;
    }
    const digest = digestOf(content);
    if (fault?.kind === 'tamper') {
      content = Buffer.from(content);
      if (kind === 'manifests') content = Buffer.concat([content, Buffer.from('\n')]);
      else content[content.length >> 1] = (content[content.length >> 1] ?? 0) ^ 0xff;
    }
    res.writeHead(200, { 'content-type': mediaType, 'content-length': content.length, 'docker-content-digest': digest });
    if (req.method === 'HEAD') return void res.end();
    if (fault?.kind === 'truncate') {
      res.write(content.subarray(0, content.length >> 1), () => res.destroy());
      return;
    }
    res.end(content);
  }

  #authorized(req: http.IncomingMessage, url: URL, res: http.ServerResponse): boolean {
    const auth = this.#auth;
    if (auth === undefined) return true;
    const given = req.headers.authorization ?? '';
    if (auth.scheme === 'basic') {
      if (given === `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`) return true;
      fail(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': 'Basic realm="fault-registry"' });
      return false;
    }
    const repository = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)?.[1];
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
    const scopes = this.#tokens.get(given.replace(/^Bearer /, '')) ?? [];
    const granted = repository === undefined ? given.startsWith('Bearer ') && scopes.length > 0 : scopes.some((s) => {
      const [type, name, actions] = s.split(':');
      return type === 'repository' && name === repository && (actions ?? '').split(',').includes(action);
    });
    if (granted) return true;
    const scope = repository === undefined ? '' : `,scope="repository:${repository}:${action === 'pull' ? 'pull' : 'pull,push'}"`;
    const challenge = `Bearer realm="http://${this.host}/token",service="${auth.service ?? 'fault-registry'}"${scope}`;
    fail(res, 401, 'UNAUTHORIZED', 'authentication required', { 'www-authenticate': challenge });
    return false;
  }

  #token(req: http.IncomingMessage, url: URL, res: http.ServerResponse): void {
    const auth = this.#auth;
    if (auth?.scheme !== 'bearer') return fail(res, 404, 'UNSUPPORTED', 'no token endpoint');
    if (auth.username !== undefined) {
      const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password ?? ''}`).toString('base64')}`;
      if (req.headers.authorization !== basic) return fail(res, 401, 'UNAUTHORIZED', 'bad credentials for the token');
    }
    if (url.searchParams.get('service') !== (auth.service ?? 'fault-registry')) return fail(res, 400, 'UNSUPPORTED', 'unknown service');
    const token = randomBytes(12).toString('hex');
    this.#tokens.set(token, url.searchParams.getAll('scope'));
    json(res, 200, { [auth.tokenField ?? 'token']: token, expires_in: 300 });
  }

  #upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL, repository: string, id: string, body: Buffer): void {
    if (req.method === 'POST' && id === '') {
      const mount = url.searchParams.get('mount');
      if (mount !== null && this.blobs.has(mount)) {
        return json(res, 201, {}, { location: `/v2/${repository}/blobs/${mount}`, 'docker-content-digest': mount });
      }
      const digest = url.searchParams.get('digest');
      if (digest !== null) return this.#commit(res, repository, digest, body);
      const upload: Upload = { repository, parts: [], size: 0, state: 0 };
      const uuid = randomBytes(8).toString('hex');
      this.#uploads.set(uuid, upload);
      return json(res, 202, {}, { location: this.#location(uuid, upload), range: '0-0', 'docker-upload-uuid': uuid });
    }
    const upload = this.#uploads.get(id);
    if (upload === undefined || upload.repository !== repository) return fail(res, 404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    if (req.method === 'PATCH') {
      const range = /^(\d+)-(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
      if (range !== null && (Number(range[1]) !== upload.size || Number(range[2]) - Number(range[1]) + 1 !== body.length)) {
        return fail(res, 416, 'BLOB_UPLOAD_INVALID', `range ${range[0]} does not continue the upload at ${upload.size}`, { range: `0-${upload.size - 1}` });
      }
      upload.parts.push(body);
      upload.size += body.length;
      return json(res, 202, {}, { location: this.#location(id, upload), range: `0-${upload.size - 1}`, 'docker-upload-uuid': id });
    }
    if (req.method === 'PUT') {
      this.#uploads.delete(id);
      upload.parts.push(body);
      return this.#commit(res, repository, url.searchParams.get('digest') ?? '', Buffer.concat(upload.parts));
    }
    fail(res, 405, 'UNSUPPORTED', `${req.method} on an upload`);
  }

  #location(uuid: string, upload: Upload): string {
    // A new _state each time, as distribution does: a client must follow the latest Location.
    return `/v2/${upload.repository}/blobs/uploads/${uuid}?_state=${++upload.state}`;
  }

  #commit(res: http.ServerResponse, repository: string, digest: string, content: Buffer): void {
    if (digestOf(content) !== digest) return fail(res, 400, 'DIGEST_INVALID', `provided digest ${digest} did not match uploaded content`);
    this.blobs.set(digest, content);
    json(res, 201, {}, { location: `/v2/${repository}/blobs/${digest}`, 'docker-content-digest': digest });
  }

  #putManifest(req: http.IncomingMessage, res: http.ServerResponse, repository: string, ref: string, body: Buffer): void {
    const mediaType = String(req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    let doc: { config?: Descriptor; layers?: Descriptor[]; manifests?: Descriptor[] };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      return fail(res, 400, 'MANIFEST_INVALID', 'manifest invalid: not JSON');
    }
    if (!/manifest|index/.test(mediaType)) return fail(res, 400, 'MANIFEST_INVALID', `unexpected Content-Type ${mediaType}`);
    const missing = [doc.config, ...(doc.layers ?? [])].find((d) => d !== undefined && !this.blobs.has(d.digest));
    if (missing !== undefined) return fail(res, 400, 'MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing.digest}`);
    const descriptor = this.addManifest(repository, ref.startsWith('sha256:') ? undefined : ref, mediaType, body);
    json(res, 201, {}, { location: `/v2/${repository}/manifests/${descriptor.digest}`, 'docker-content-digest': descriptor.digest });
  }
}
