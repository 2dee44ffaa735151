/**
 * The run section's exec case: `exec … true` into one running container,
 * three ways, timed like the other run cases (each operation resolves when
 * the exec is over).
 *
 * ```
 * minidockerd ── POST /containers/create {busybox sleep} + start ──▶ <Id>, running (its shim runs `runc run`)
 *   minidocker exec <Id> true     CLI process: inspect, exec create, start (Upgrade), inspect
 *   EngineClient (warm)           exec create ─▶ exec start (no Upgrade / Upgrade), stream read to its end ─▶ exec inspect
 *   runc exec                     `runc --root <data root>/runtime/runc … exec --process P --pid-file F <Id>`:
 *                                 the argv the daemon's shim runs (Runc.execArgs), P = the process.json it would write
 * ```
 * The container is removed through the daemon at the end, also when a step
 * failed; `runc delete -f` on the daemon's root if that remove did not work.
 * Every request and process has a deadline ({@link EXEC_DEADLINE_MS}).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { execProcess, readBundleProcess, writeProcessFile } from '../solutions/runtime/exec-process.js';
import { Runc } from '../solutions/runtime/runc.js';
import { CREATE_BODY, spawnToExit } from './run-cases.js';
import type { Operation } from './run-cases.js';
import type { Client, RunFixture } from './run-fixture.js';
import { run } from './tools.js';

/** How long one request, one exec or one process may take before the case fails (a hung daemon never hangs the bench). */
export const EXEC_DEADLINE_MS = 15_000;

/** The body `minidocker exec <ctr> true` sends to create the exec (cli/commands/exec.ts buildExecRequest, no flags). */
export const EXEC_BODY = {
  User: '',
  Privileged: false,
  Tty: false,
  ConsoleSize: null,
  AttachStdin: false,
  AttachStdout: true,
  AttachStderr: true,
  Detach: false,
  DetachKeys: '',
  Env: null,
  WorkingDir: '',
  Cmd: ['true'],
};

/** The running container the case execs into. */
export interface ExecTarget {
  /** Its Id: the daemon's name for it, and runc's. */
  id: string;
  /** The argv (without the binary) of the runc row: the daemon's `runc exec` of `true`. */
  runcArgs: string[];
  /** Removes it through the daemon, else with `runc delete -f`; never throws. */
  remove(): Promise<void>;
}

/** Runs `call` with a signal that aborts it after {@link EXEC_DEADLINE_MS}; a late one fails saying what was waited for. */
async function withDeadline<T>(what: string, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(EXEC_DEADLINE_MS);
  try {
    return await call(signal);
  } catch (err) {
    if (signal.aborted) throw new Error(`${what}: no answer within ${EXEC_DEADLINE_MS} ms`, { cause: err });
    throw err;
  }
}

/**
 * Creates and starts `busybox sleep 86400` through the daemon (as `minidocker
 * run -d --network none busybox sleep 86400` would), checks the daemon's runc
 * knows it as running, and writes the process file of the runc row: the
 * container's process with `true`, as the daemon's exec-process.ts builds it.
 * @throws Error saying which step failed (the container is removed then).
 */
export async function startExecTarget(fx: RunFixture, runcBinary: string): Promise<ExecTarget> {
  const body = { ...CREATE_BODY, Cmd: ['sleep', '86400'] };
  const { Id: id } = await withDeadline('creating the exec container', (signal) => fx.client.json<{ Id: string }>('POST', '/containers/create', { body, signal }));
  const root = fx.daemonRuncRoot;
  const remove = async (): Promise<void> => {
    const removed = await withDeadline('removing it', (signal) => fx.client.json('DELETE', `/containers/${id}`, { query: { force: 1 }, signal })).then(
      () => true,
      () => false,
    );
    if (!removed) await run(runcBinary, ['--root', root, 'delete', '-f', id]).catch(() => undefined);
  };
  try {
    await withDeadline('starting the exec container', (signal) => fx.client.json('POST', `/containers/${id}/start`, { signal }));
    const state = JSON.parse(await run(runcBinary, ['--root', root, 'state', id])) as { status: string; bundle: string };
    if (state.status !== 'running') throw new Error(`runc --root ${root} state ${id}: ${state.status}, not running`);
    const dir = path.join(fx.dir, 'exec');
    await fs.mkdir(dir, { recursive: true });
    const processFile = path.join(dir, 'process.json');
    const container = await readBundleProcess(state.bundle);
    const user = { uid: container.user.uid, gid: container.user.gid, additionalGids: container.user.additionalGids ?? [] };
    await writeProcessFile(processFile, execProcess(container, { args: ['true'], env: container.env ?? [], cwd: '/', user, terminal: false }));
    const runcArgs = new Runc({ binary: runcBinary, root }).execArgs(id, processFile, path.join(dir, 'pid'), path.join(dir, 'runtime.log'));
    return { id, runcArgs, remove };
  } catch (err) {
    await remove();
    throw err;
  }
}

/** Reads a stream to its end (the exec's output: `true` prints nothing, but the end is what is waited for). */
async function drain(stream: Readable): Promise<void> {
  stream.resume();
  await finished(stream, { writable: false });
}

/**
 * One exec through a warm client: `POST /containers/{id}/exec`, `POST
 * /exec/{id}/start` — with `upgrade`, hijacked (101, as the docker CLI), else
 * a plain request whose body is the stream (200, as dockerode) — read to its
 * end, then `GET /exec/{id}/json`, whose ExitCode must be 0.
 */
export function apiExec(client: Client, container: string, upgrade: boolean): Operation {
  return () =>
    withDeadline(`exec into ${container.slice(0, 12)}`, async (signal) => {
      const { Id } = await client.json<{ Id: string }>('POST', `/containers/${container}/exec`, { body: EXEC_BODY, signal });
      const start = { body: { Detach: false, Tty: false }, signal };
      if (upgrade) {
        const stream = await client.hijack('POST', `/exec/${Id}/start`, start);
        stream.end(); // no stdin: half-close at once, as the CLI does
        await drain(stream);
        stream.destroy();
      } else {
        await drain(await client.request('POST', `/exec/${Id}/start`, start));
      }
      const { ExitCode } = await client.json<{ ExitCode: number | null }>('GET', `/exec/${Id}/json`, { signal });
      if (ExitCode !== 0) throw new Error(`exec ${Id} ended with ExitCode ${String(ExitCode)}, not 0`);
    });
}

/** `node bin/minidocker.js -H unix://<socket> exec <id> true`, a process per run. */
export function cliExec(bin: string, socketPath: string, container: string, env: NodeJS.ProcessEnv): Operation {
  return () => spawnToExit(process.execPath, [bin, '-H', `unix://${socketPath}`, 'exec', container, 'true'], env, EXEC_DEADLINE_MS);
}

/** The daemon's `runc exec` of the target, run directly: no daemon, no shim, no HTTP. */
export function runcExec(runcBinary: string, target: ExecTarget): Operation {
  return () => spawnToExit(runcBinary, target.runcArgs, process.env, EXEC_DEADLINE_MS);
}
