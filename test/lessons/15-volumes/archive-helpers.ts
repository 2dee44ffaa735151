/**
 * Test helpers of the archive checks: tars built and read in memory with
 * tar-stream (the project's tar library), docker's stat header decoded, and
 * HEAD/GET/PUT `/containers/{id}/archive` over the daemon's socket.
 */
import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { api, demux, requestBytes } from '../../support/container-harness.js';
import type { DaemonProcess } from '../../support/daemon-harness.js';
import { httpRequestBytes } from '../../support/unix-http.js';
import type { Seeded } from '../../support/seeded.js';

/** One entry to put in a tar: a file unless `type` says otherwise. */
export interface TarItem {
  name: string;
  type?: Header['type'];
  mode?: number;
  content?: string;
  linkname?: string;
  uid?: number;
  gid?: number;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
}

/** One entry read back from a tar. */
export interface ReadItem {
  name: string;
  type: Header['type'];
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  mtime: Date;
  content: string;
}

/** docker's PathStat, decoded from `X-Docker-Container-Path-Stat`. */
export interface PathStatJson {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Go's os.FileMode bit of a directory (io/fs ModeDir). */
export const GO_DIR = 2 ** 31;
/** Go's os.FileMode bit of a symlink (io/fs ModeSymlink). */
export const GO_SYMLINK = 2 ** 27;

/** The tar of `items`, in order (gzip-compressed with `gzip`). */
export async function makeTar(items: TarItem[], gzip = false): Promise<Buffer> {
  const pack = tar.pack();
  // Read while writing: a big entry does not fit in the pack's buffer.
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  })();
  for (const item of items) {
    const type = item.type ?? 'file';
    const header = {
      name: item.name, type, mode: item.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: item.uid ?? 0, gid: item.gid ?? 0,
      mtime: item.mtime ?? new Date(), linkname: item.linkname ?? '', devmajor: item.devmajor ?? 0, devminor: item.devminor ?? 0,
    };
    await new Promise<void>((resolve, reject) => pack.entry(header, type === 'file' ? (item.content ?? '') : Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await collected;
  const body = Buffer.concat(chunks);
  return gzip ? gzipSync(body) : body;
}

/** The entries of a tar, with their content as text. @throws on a broken tar */
export async function readTar(data: Buffer): Promise<ReadItem[]> {
  const extract = tar.extract();
  const items: ReadItem[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
      const h = entry.header;
      items.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, linkname: h.linkname ?? '', mtime: h.mtime, content: Buffer.concat(chunks).toString('utf8') });
    }
  })();
  Readable.from([data]).pipe(extract as unknown as NodeJS.WritableStream);
  await done;
  return items;
}

/** The stat header of a response, decoded; undefined without one. */
export function decodeStat(value: string | string[] | undefined): PathStatJson | undefined {
  if (typeof value !== 'string') return undefined;
  return JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as PathStatJson;
}

const archiveUrl = (id: string, target: string, query = '') => `/v1.41/containers/${id}/archive?path=${encodeURIComponent(target)}${query}`;

/** The `message` of an error reply, or the body as text. */
function messageOf(body: Buffer): string {
  try {
    return (JSON.parse(body.toString('utf8')) as { message?: string }).message ?? body.toString('utf8');
  } catch {
    return body.toString('utf8');
  }
}

/** `HEAD /containers/{id}/archive?path=`. */
export async function headPath(daemon: DaemonProcess, id: string, target: string): Promise<{ status: number; stat: PathStatJson | undefined }> {
  const res = await requestBytes(daemon.socketPath, 'HEAD', archiveUrl(id, target));
  return { status: res.status, stat: decodeStat(res.headers['x-docker-container-path-stat']) };
}

/** `GET /containers/{id}/archive?path=`: the status, the stat header, the tar's entries (none on an error) and the error's message. */
export async function getArchive(daemon: DaemonProcess, id: string, target: string): Promise<{ status: number; type: string | undefined; stat: PathStatJson | undefined; items: ReadItem[]; message: string }> {
  const res = await requestBytes(daemon.socketPath, 'GET', archiveUrl(id, target), 30_000);
  const stat = decodeStat(res.headers['x-docker-container-path-stat']);
  if (res.status !== 200) return { status: res.status, type: res.headers['content-type'], stat, items: [], message: messageOf(res.body) };
  return { status: res.status, type: res.headers['content-type'], stat, items: await readTar(res.body), message: '' };
}

/** `PUT /containers/{id}/archive?path=<target><query>` with `body`: the status and the error's message. */
export async function putArchive(daemon: DaemonProcess, id: string, target: string, body: Buffer, query = ''): Promise<{ status: number; message: string }> {
  const res = await httpRequestBytes(daemon.socketPath, {
    method: 'PUT', path: archiveUrl(id, target, query), headers: { 'Content-Type': 'application/x-tar' }, body, timeoutMs: 30_000,
  });
  return { status: res.status, message: res.status === 200 ? '' : messageOf(res.body) };
}

/** Creates a busybox container running `sh -c script` (not started); returns its id. @throws when create fails */
export async function createBusybox(daemon: DaemonProcess, script: string, extra: Record<string, unknown> = {}, name?: string): Promise<string> {
  const created = await api(daemon, 'POST', `/v1.41/containers/create${name === undefined ? '' : `?name=${name}`}`, { Image: 'busybox', Cmd: ['sh', '-c', script], ...extra });
  if (created.status !== 201) throw new Error(`create answered ${created.status} ${created.text.slice(0, 300)} — lesson 12's containers API must work first`);
  return created.body.Id as string;
}

/** Starts a container. @throws when start fails */
export async function start(daemon: DaemonProcess, id: string): Promise<void> {
  const started = await api(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 40_000);
  if (started.status !== 204) throw new Error(`start answered ${started.status} ${started.text.slice(0, 300)} — lesson 12's containers API must work first`);
}

/** Waits for a container to exit; returns its exit code. */
export async function waitExit(daemon: DaemonProcess, id: string): Promise<number> {
  const waited = await api(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 40_000);
  return waited.body?.StatusCode as number;
}

/** Everything the container printed so far (stdout and stderr). */
export async function logsOf(daemon: DaemonProcess, id: string): Promise<string> {
  const logs = await requestBytes(daemon.socketPath, 'GET', `/v1.41/containers/${id}/logs?stdout=1&stderr=1`);
  const { stdout, stderr } = demux(logs.body);
  return stdout + stderr;
}

/** Polls the logs until they contain `text` (or `ms` pass); returns the last logs. */
export async function logsUntil(daemon: DaemonProcess, id: string, text: string, ms = 10_000): Promise<string> {
  const until = Date.now() + ms;
  let logs = '';
  while (Date.now() < until) {
    logs = await logsOf(daemon, id);
    if (logs.includes(text)) return logs;
    await new Promise((r) => setTimeout(r, 100));
  }
  return logs;
}

/** Random text from the seed: letters and digits, `n` of them. */
export function textFrom(rng: Seeded, n = 24): string {
  let text = '';
  for (let i = 0; i < n; i++) text += 'abcdefghijklmnopqrstuvwxyz0123456789'[rng.int(0, 35)];
  return text;
}

/** One of `choices`, from the seed. */
export function pick<T>(rng: Seeded, choices: readonly T[]): T {
  return choices[rng.int(0, choices.length - 1)] as T;
}

/** Whether anything is mounted at `dir` (per /proc/self/mountinfo; mount points are written with octal escapes). */
export async function mountedAt(dir: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))) === dir);
}
