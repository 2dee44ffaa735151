/**
 * The cp section's timed operations and its checks, on one running busybox
 * container of a real minidockerd (bench/run-fixture.ts) and, for the peer,
 * `tar` on the host:
 *
 * ```
 * tree.tar ──▶ copyToContainer ── PUT /containers/<Id>/archive?path=/dst/run-N ──▶ minidockerd ──▶ /dst/run-N in the container
 * tree.tar ──▶ stdin of `tar -C <workDir>/cp-XXXXXX/run-N -xf -`
 * copyFromContainer ── GET /containers/<Id>/archive?path=/dst/run-1 ──▶ bytes counted
 * stdout of `tar -C <workDir>/cp-XXXXXX/run-1 -cf - .`  ──▶ bytes counted
 * ```
 * Both sides are fed and drained by this process, the same way; the PUT and
 * GET go through the selected tree's client/archive.ts, as `minidocker cp`.
 * The container's tree is checked through `/proc/<its pid>/root`, what its
 * processes see; the host's in its folder; both against the tree's plan.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import tar from 'tar-stream';
import { implDir } from '../kata/impl-switch.js';
import type { copyFromContainer as CopyFromContainer, copyToContainer as CopyToContainer } from '../solutions/client/archive.js';
import type { EngineClient as EngineClientClass } from '../solutions/client/engine-client.js';
import { dirsTar } from './cp-inputs.js';
import type { ExpectedTree } from './plans.js';
import { CREATE_BODY } from './run-cases.js';
import type { RunFixture } from './run-fixture.js';

/** One operation on a tree of this size may take this long before it fails (a hung daemon never hangs the bench): 10 s + 1 s per 10 MB. */
export const deadlineMs = (bytes: number): number => Math.ceil(10_000 + bytes / 10_000);

/** Where the section copies to, in the container: one folder per timed run, made before the runs. */
export const CONTAINER_DIR = '/dst';

/** The running container and the archive calls of the selected tree. */
export interface CpTarget {
  id: string;
  /** Its init's pid on the host: `/proc/<pid>/root` is its root as its processes see it. */
  pid: number;
  client: EngineClientClass;
  copyToContainer: typeof CopyToContainer;
  copyFromContainer: typeof CopyFromContainer;
}

/** `call` with a signal that aborts it after `ms`; a late one fails saying what was waited for. */
async function within<T>(what: string, ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(ms);
  try {
    return await call(signal);
  } catch (err) {
    if (signal.aborted) throw new Error(`${what}: not done within ${Math.round(ms / 1000)} s`, { cause: err });
    throw err;
  }
}

/**
 * Creates and starts `busybox sleep 86400` through the daemon and PUTs the
 * folders `folders` under {@link CONTAINER_DIR} into it (untimed: the
 * extraction points of the timed PUTs, and the first request of the route).
 * The fixture's teardown removes it.
 * @throws Error saying which step failed.
 */
export async function startCpTarget(fx: RunFixture, folders: string[]): Promise<CpTarget> {
  const tree = implDir();
  const { EngineClient } = (await import(pathToFileURL(path.join(tree, 'client', 'engine-client.ts')).href)) as { EngineClient: typeof EngineClientClass };
  const archive = (await import(pathToFileURL(path.join(tree, 'client', 'archive.ts')).href)) as {
    copyToContainer: typeof CopyToContainer;
    copyFromContainer: typeof CopyFromContainer;
  };
  const client = new EngineClient({ socketPath: fx.socketPath });
  const body = { ...CREATE_BODY, Cmd: ['sleep', '86400'] };
  const { Id: id } = await within('creating the container', 30_000, (signal) => client.json<{ Id: string }>('POST', '/containers/create', { body, signal }));
  await within('starting the container', 30_000, (signal) => client.json('POST', `/containers/${id}/start`, { signal }));
  const inspect = await within('inspecting it', 30_000, (signal) => client.json<{ State: { Running: boolean; Pid: number } }>('GET', `/containers/${id}/json`, { signal }));
  if (!inspect.State.Running || !(inspect.State.Pid > 0)) throw new Error(`the container does not run (State.Pid ${inspect.State.Pid})`);
  const tarOfDirs = await dirsTar([CONTAINER_DIR.slice(1), ...folders.map((f) => path.posix.join(CONTAINER_DIR.slice(1), f))]);
  await within('PUT of the extraction points', 30_000, (signal) => archive.copyToContainer(client, id, '/', Readable.from([tarOfDirs]), { signal }));
  return { id, pid: inspect.State.Pid, client, copyToContainer: archive.copyToContainer, copyFromContainer: archive.copyFromContainer };
}

/** Seconds since `start` (process.hrtime.bigint()). */
const since = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

/** Reads a stream to its end. @returns how many bytes it had */
async function countBytes(stream: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/** One timed operation: its seconds, and the bytes it read (the out direction). */
export interface Timed {
  seconds: number;
  bytes?: number;
}

/** `PUT …/archive?path=<folder>`: the tar file streamed as the body, as `minidocker cp - ctr:<folder>` sends it. */
export async function cpIn(t: CpTarget, tarFile: string, folder: string, bytes: number): Promise<Timed> {
  return within(`PUT into ${folder}`, deadlineMs(bytes), async (signal) => {
    const start = process.hrtime.bigint();
    await t.copyToContainer(t.client, t.id, folder, createReadStream(tarFile), { signal });
    return { seconds: since(start) };
  });
}

/** `GET …/archive?path=<folder>` read to its end. */
export async function cpOut(t: CpTarget, folder: string, bytes: number): Promise<Timed> {
  return within(`GET of ${folder}`, deadlineMs(bytes), async (signal) => {
    const start = process.hrtime.bigint();
    const { content } = await t.copyFromContainer(t.client, t.id, folder, { signal });
    const read = await countBytes(content);
    return { seconds: since(start), bytes: read };
  });
}

/**
 * Runs `tar args`, `input` piped into its stdin (or none), its stdout counted;
 * resolves once it exited 0 and its streams are done.
 * @throws Error with its last stderr line when it fails, or when it is still running after `ms`.
 */
function runTar(tarBinary: string, args: string[], input: Readable | undefined, ms: number): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(tarBinary, args, { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    const fed = input ? pipeline(input, child.stdin!) : Promise.resolve();
    const read = countBytes(child.stdout!);
    const exited = new Promise<number | string>((done, fail) => child.once('error', fail).once('close', (code, signal) => done(signal ?? code ?? -1)));
    Promise.all([exited, read, fed]).then(
      ([status, bytes]) => {
        clearTimeout(timer);
        const seconds = since(start);
        if (status === 0) return resolve({ seconds, bytes });
        const why = status === 'SIGKILL' ? `not done within ${Math.round(ms / 1000)} s` : stderr.trim().split('\n').at(-1) ?? '';
        reject(new Error(`tar ${args.join(' ')} failed (${typeof status === 'number' ? `exit ${status}` : status}): ${why}`));
      },
      (err: unknown) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`tar ${args.join(' ')}: ${(err as Error).message}${stderr ? ` (${stderr.trim().split('\n').at(-1)})` : ''}`, { cause: err }));
      },
    );
  });
}

/** `tar -C <dir> -xf -` with the tar file on its stdin. */
export function tarIn(tarBinary: string, tarFile: string, dir: string, bytes: number): Promise<Timed> {
  return runTar(tarBinary, ['-C', dir, '-xf', '-'], createReadStream(tarFile), deadlineMs(bytes));
}

/** `tar -C <dir> -cf - .`, its output read to the end (never `-f /dev/null`, which GNU tar answers without reading a file). */
export function tarOut(tarBinary: string, dir: string, bytes: number): Promise<Timed> {
  return runTar(tarBinary, ['-C', dir, '-cf', '-', '.'], undefined, deadlineMs(bytes));
}

/**
 * The entries of a tar stream as a tree: path → `dir`, `symlink` or a file's
 * size, each name without its first component (`./…` of tar -c, `<base>/…`
 * of a GET), the top folder itself left out.
 */
export async function treeOfTar(stream: Readable): Promise<ExpectedTree> {
  const tree: ExpectedTree = new Map();
  const inTree = (name: string): string => name.replace(/\/+$/, '').split('/').slice(1).join('/');
  const extract = tar.extract();
  const fed = pipeline(stream, extract as unknown as NodeJS.WritableStream);
  fed.catch(() => undefined); // its failure ends the iteration below too
  for await (const entry of extract) {
    const { header } = entry;
    const name = inTree(header.name);
    if (name !== '') {
      if (header.type === 'directory') tree.set(name, 'dir');
      else if (header.type === 'symlink') tree.set(name, 'symlink');
      else if (header.type === 'file') tree.set(name, header.size);
      else if (header.type === 'link') tree.set(name, tree.get(inTree(header.linkname)) ?? 0);
      else tree.set(name, -1); // a type the tree has none of
    }
    entry.resume();
  }
  await fed;
  return tree;
}

/** The first difference between a tar's tree and the plan's, or undefined when they match. */
export function diffTrees(got: ExpectedTree, expected: ExpectedTree): string | undefined {
  for (const [name, want] of expected) {
    const found = got.get(name);
    if (found === undefined) return `${name} is missing`;
    if (found !== want) return `${name} is ${String(found)}, expected ${String(want)}`;
  }
  for (const name of got.keys()) if (!expected.has(name)) return `unexpected ${name}`;
  return undefined;
}

/** An untimed GET of `folder`, its entries compared with the plan's. @returns the first difference */
export async function checkCpOut(t: CpTarget, folder: string, expected: ExpectedTree, bytes: number): Promise<string | undefined> {
  return within(`GET of ${folder}`, deadlineMs(bytes), async (signal) => {
    const { content } = await t.copyFromContainer(t.client, t.id, folder, { signal });
    return diffTrees(await treeOfTar(content), expected);
  });
}

/** An untimed `tar -C dir -cf - .`, its entries compared with the plan's. @returns the first difference */
export async function checkTarOut(tarBinary: string, dir: string, expected: ExpectedTree): Promise<string | undefined> {
  const child = spawn(tarBinary, ['-C', dir, '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve, reject) => child.once('error', reject).once('close', resolve));
  const tree = await treeOfTar(child.stdout);
  const code = await exited;
  if (code !== 0) return `tar -cf exited with ${String(code)}`;
  return diffTrees(tree, expected);
}
