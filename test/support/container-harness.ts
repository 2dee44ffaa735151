/**
 * Fixtures for the containers lessons: a registry mirror holding the offline
 * base images, minidockerd processes pointed at it, raw clients for the
 * streaming endpoints (attach's hijacked connection, logs' frames), and a
 * cleanup that leaves nothing behind: containers deleted through the
 * runtime, shims killed by pid, overlay mounts unmounted, temp dirs removed.
 *
 * ```ts
 * const mirror = new MirrorFixture();            // beforeAll: await mirror.start()
 * const daemons = new ContainerDaemons(mirror);  // afterEach: await daemons.cleanup()
 * const daemon = await daemons.start();          // minidockerd --registry-mirror <mirror>
 * await daemons.pull(daemon, 'busybox');
 * ```
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { buildBaseImages } from '../../fixtures/base-images.js';
import { pushBlob, pushLayout, pushManifest } from '../../fixtures/registry-push.js';
import { DaemonHarness } from './daemon-harness.js';
import type { DaemonProcess, StartDaemonOptions } from './daemon-harness.js';
import { RegistryHarness } from './registry-harness.js';
import { releaseDir } from './scope.js';
import { httpRequest, httpRequestBytes } from './unix-http.js';
import type { BinaryResponse } from './unix-http.js';

export type { BinaryResponse } from './unix-http.js';

const exec = promisify(execFile);

/** The reference registry with `library/busybox` and `library/hello-world`, as docker.io's mirror. */
export class MirrorFixture {
  readonly registries = new RegistryHarness();
  url = '';
  /** The busybox image's OCI layout, for checks that push a variant of it ({@link MirrorFixture.pushBusyboxVariant}). */
  busyboxLayout = '';

  /** Builds the offline base images and pushes them into a new reference registry. */
  async start(): Promise<void> {
    const dir = await this.registries.tempDir();
    const images = await buildBaseImages(path.join(dir, 'images'));
    this.busyboxLayout = images.busybox.layoutDir;
    const registry = await this.registries.startReference();
    await pushLayout(registry.url, 'library/busybox', 'latest', images.busybox.layoutDir);
    await pushLayout(registry.url, 'library/hello-world', 'latest', images['hello-world'].layoutDir);
    this.url = registry.url;
  }

  /**
   * Pushes `library/<name>:latest`: busybox's layers with its image config
   * changed by `change` (e.g. a VOLUME), so a check can pull an image that
   * has what busybox lacks.
   */
  async pushBusyboxVariant(name: string, change: (config: Record<string, any>) => void): Promise<void> {
    const blob = (digest: string) => fs.readFile(path.join(this.busyboxLayout, 'blobs', 'sha256', digest.slice('sha256:'.length)));
    const index = JSON.parse(await fs.readFile(path.join(this.busyboxLayout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string }[] };
    const entry = index.manifests[0];
    if (entry === undefined) throw new Error(`${this.busyboxLayout} has no manifest`);
    const manifest = JSON.parse((await blob(entry.digest)).toString('utf8')) as { config: { digest: string; size: number }; layers: { digest: string }[] };
    const image = JSON.parse((await blob(manifest.config.digest)).toString('utf8')) as { config: Record<string, any> };
    change(image.config);
    const configBytes = Buffer.from(JSON.stringify(image));
    const configDigest = await pushBlob(this.url, `library/${name}`, configBytes);
    for (const layer of manifest.layers) await pushBlob(this.url, `library/${name}`, await blob(layer.digest));
    const changed = { ...manifest, config: { ...manifest.config, digest: configDigest, size: configBytes.length } };
    await pushManifest(this.url, `library/${name}`, 'latest', Buffer.from(JSON.stringify(changed)), entry.mediaType);
  }

  /** Closes the registry and removes the images. */
  cleanup(): Promise<void> {
    return this.registries.cleanup();
  }
}

/** One multiplexed frame: 1 stdout, 2 stderr. */
export interface Frame {
  type: number;
  payload: Buffer;
}

/** minidockerd processes on the mirror, and their containers' cleanup, in the daemon harness's scope. */
export class ContainerDaemons {
  readonly harness = new DaemonHarness();
  readonly #mirror: MirrorFixture;
  /** The data roots whose containers the scope releases already. */
  readonly #roots = new Set<string>();

  constructor(mirror: MirrorFixture) {
    this.#mirror = mirror;
  }

  /** Starts `minidockerd --registry-mirror <mirror>` (same socket and data root to restart one). */
  async start(options: StartDaemonOptions = {}): Promise<DaemonProcess> {
    const daemon = await this.harness.start({ ...options, args: ['--registry-mirror', this.#mirror.url, ...(options.args ?? [])] });
    const root = daemon.dataRoot;
    if (!this.#roots.has(root)) {
      this.#roots.add(root);
      // Registered after the daemon: its containers go first, while it still runs, then the daemon, then its dir.
      this.harness.scope.defer(() => (this.#roots.delete(root), releaseContainers(root)), `releasing the containers under ${root}`);
    }
    return daemon;
  }

  /** Pulls `name:latest` through the daemon's images API. @throws when the pull fails. */
  async pull(daemon: DaemonProcess, name: string): Promise<void> {
    const res = await httpRequest(daemon.socketPath, {
      method: 'POST',
      path: `/v1.41/images/create?fromImage=${encodeURIComponent(name)}&tag=latest`,
      headers: { 'X-Registry-Auth': 'e30=' },
      timeoutMs: 60_000,
    });
    if (res.status !== 200 || /"error"/.test(res.body)) {
      throw new Error(`pulling ${name} failed (${res.status}): ${res.body.slice(0, 300)} — lesson 09's images API must work first`);
    }
  }

  /** Deletes every container, kills the daemons and shims, unmounts what is mounted below the data roots, removes the temp dirs. */
  cleanup(): Promise<void> {
    return this.harness.cleanup();
  }
}

/**
 * Deletes every container the runtime knows under `<dataRoot>/runtime/*`,
 * kills (by pid) every process whose command line names the data root (the
 * shims), and unmounts everything mounted below it.
 */
export async function releaseContainers(dataRoot: string): Promise<void> {
  const runtimes = await fs.readdir(path.join(dataRoot, 'runtime')).catch(() => [] as string[]);
  for (const runtime of runtimes) {
    const root = path.join(dataRoot, 'runtime', runtime);
    const binary = runtime === 'crun' ? 'crun' : 'runc';
    const listed = await exec(binary, ['--root', root, 'list', '-q']).catch(() => ({ stdout: '' }));
    for (const id of listed.stdout.split('\n').filter(Boolean)) {
      await exec(binary, ['--root', root, 'delete', '-f', id]).catch(() => undefined);
    }
  }
  await releaseHolders(dataRoot);
  await releaseDir(dataRoot);
}

/**
 * Kills the network namespace holders of the daemon's user-defined networks
 * (lesson 14): their command lines do not name the data root, their records
 * (`<dataRoot>/networks/*.json`) have their pid and start time.
 */
async function releaseHolders(dataRoot: string): Promise<void> {
  const dir = path.join(dataRoot, 'networks');
  for (const entry of await fs.readdir(dir).catch(() => [] as string[])) {
    const record = await fs.readFile(path.join(dir, entry), 'utf8').then((text) => JSON.parse(text) as { Holder?: { pid: number; startTime: string } }, () => undefined);
    const holder = record?.Holder;
    if (holder === undefined) continue;
    const stat = await fs.readFile(`/proc/${holder.pid}/stat`, 'utf8').catch(() => '');
    // Field 22, the start time, after the command's closing parenthesis: the pid is still the holder's.
    if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] !== holder.startTime) continue;
    try {
      process.kill(holder.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Sends a JSON request; parses a JSON reply (undefined for an empty body). */
export async function api<T = any>(daemon: DaemonProcess, method: string, target: string, body?: unknown, timeoutMs = 20_000): Promise<{ status: number; body: T; text: string }> {
  const res = await httpRequest(daemon.socketPath, {
    method,
    path: target,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs,
  });
  let parsed: unknown;
  try {
    parsed = res.body.trim() === '' ? undefined : JSON.parse(res.body);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text: res.body };
}

/** Sends a request and keeps the reply's bytes. */
export function requestBytes(socketPath: string, method: string, target: string, timeoutMs = 20_000): Promise<BinaryResponse> {
  return httpRequestBytes(socketPath, { method, path: target, timeoutMs });
}

/**
 * Splits a multiplexed stream into frames.
 * @throws Error when the bytes are not a whole number of `[type,0,0,0,len]` frames.
 */
export function demux(data: Buffer): { frames: Frame[]; stdout: string; stderr: string } {
  const frames: Frame[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 8 > data.length) throw new Error(`a frame header was cut off at byte ${at}`);
    const type = data[at] ?? -1;
    if (![0, 1, 2, 3].includes(type) || data[at + 1] !== 0 || data[at + 2] !== 0 || data[at + 3] !== 0) {
      throw new Error(`bytes ${at}..${at + 8} are no frame header: ${JSON.stringify(data.subarray(at, at + 8).toString('latin1'))}`);
    }
    const size = data.readUInt32BE(at + 4);
    frames.push({ type, payload: data.subarray(at + 8, at + 8 + size) });
    at += 8 + size;
  }
  const text = (t: number) => Buffer.concat(frames.filter((f) => f.type === t).map((f) => f.payload)).toString('utf8');
  return { frames, stdout: text(1), stderr: text(2) };
}

/** A hijacked connection (attach, exec start). */
export interface AttachConnection {
  /** The status line, e.g. `HTTP/1.1 101 UPGRADED`. */
  statusLine: string;
  status: number;
  /** The raw response header block. */
  head: string;
  socket: net.Socket;
  /** What came with the response head: a quick process's first output may share its chunk. */
  early: Buffer;
  /** Everything the daemon sends after the headers, until it closes the connection. */
  output: Promise<Buffer>;
}

/** What {@link openAttach} sends besides the target. */
export interface HijackOptions {
  /** A JSON body (exec start's `{Detach, Tty}`); none for attach. */
  body?: unknown;
  /** `Connection: Upgrade` / `Upgrade: tcp`, as the docker CLI sends (default); false as dockerode sends. */
  upgrade?: boolean;
  timeoutMs?: number;
}

/**
 * Sends `POST <target>` on a connection of its own, with `Connection: Upgrade`
 * / `Upgrade: tcp` like the docker CLI (or without, like dockerode), and reads
 * the response head.
 */
export function openAttach(socketPath: string, target: string, options: HijackOptions = {}): Promise<AttachConnection> {
  const { upgrade = true, timeoutMs = 15_000 } = options;
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`POST ${target}: no response head within ${timeoutMs} ms`));
    }, timeoutMs);
    let buffered = Buffer.alloc(0);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    const payload = options.body === undefined ? '' : JSON.stringify(options.body);
    socket.write(
      `POST ${target} HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n` +
        (payload === '' ? 'Content-Type: text/plain\r\n' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n`) +
        (upgrade ? 'Connection: Upgrade\r\nUpgrade: tcp\r\n' : '') + `\r\n${payload}`,
    );
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      const head = buffered.subarray(0, end).toString('latin1');
      const early = buffered.subarray(end + 4);
      const chunks: Buffer[] = [early];
      const output = new Promise<Buffer>((done) => {
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.once('close', () => done(Buffer.concat(chunks)));
      });
      const statusLine = head.split('\r\n')[0] ?? '';
      resolve({ statusLine, status: Number(statusLine.split(' ')[1] ?? 0), head, socket, early, output });
    };
    socket.on('data', onData);
  });
}

/** Creates and starts a busybox container running `sh -c script` (lesson 12); returns its id. */
export async function runContainer(daemon: DaemonProcess, script = 'sleep 300', extra: Record<string, unknown> = {}, name?: string): Promise<string> {
  const query = name === undefined ? '' : `?name=${name}`;
  const created = await api(daemon, 'POST', `/v1.41/containers/create${query}`, { Image: 'busybox', Cmd: ['sh', '-c', script], ...extra });
  expect(created.status, `create should answer 201 (lesson 12); it said ${created.status} ${created.text.slice(0, 300)}`).toBe(201);
  const id = created.body.Id as string;
  const started = await api(daemon, 'POST', `/v1.41/containers/${id}/start`);
  expect(started.status, `start should answer 204 (lesson 12); it said ${started.status} ${started.text.slice(0, 300)}`).toBe(204);
  return id;
}

/**
 * Runs `sh -c <script>` in a busybox container (extra create fields merged in)
 * to its end, and returns its exit code and its output, stdout then stderr.
 * `where` names the learner's code a failed create or start points at.
 */
export async function runToEnd(daemon: DaemonProcess, script: string, extra: Record<string, unknown> = {}, where = 'src/daemon/containers/container-service.ts start'): Promise<{ code: number; output: string }> {
  const created = await api(daemon, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['sh', '-c', script], ...extra });
  expect(created.status, `create answers 201; it said ${created.status} ${created.text.slice(0, 300)}`).toBe(201);
  const id = created.body.Id as string;
  const started = await api(daemon, 'POST', `/v1.41/containers/${id}/start`, undefined, 40_000);
  expect(started.status, `start answers 204; it said ${started.status} ${started.text.slice(0, 300)} — ${where}`).toBe(204);
  const waited = await api<{ StatusCode: number }>(daemon, 'POST', `/v1.41/containers/${id}/wait`, undefined, 40_000);
  expect(waited.status, 'wait answers 200').toBe(200);
  const logs = await requestBytes(daemon.socketPath, 'GET', `/v1.41/containers/${id}/logs?stdout=1&stderr=1`);
  const { stdout, stderr } = demux(logs.body);
  return { code: waited.body.StatusCode, output: stdout + stderr };
}

/** Resolves `value`, or rejects with `message` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}
