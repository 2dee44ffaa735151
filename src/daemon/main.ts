/**
 * `minidockerd`: the daemon's command line.
 *
 * ```
 * minidockerd [-H unix:///path/to.sock] [--data-root DIR] [--group NAME] [--registry-mirror URL]… [--runtime runc|crun|PATH]
 * ```
 *
 * It runs in the foreground until SIGTERM or SIGINT (Ctrl-C), then closes the
 * server, which removes the socket, and exits 0.
 */
import { Command } from 'commander';
import { API_VERSION } from '../api/types.js';
import { defaultDataRoot, defaultSocketPath, packageVersion, parseHost } from '../config.js';
import { NotImplementedError } from '../errors.js';
import { parseServerCommandLine } from '../server-command-line.js';
import { composeDaemon } from './compose.js';
import { startDaemon } from './server/server.js';
import type { RouteRegistrar } from './server/route-registrar.js';

/** The streams and environment the daemon runs with (bin/launch.js passes the process's). */
export interface DaemonIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** The parsed command line. */
export interface DaemonFlags {
  /** `unix:///path/to.sock`. */
  host: string;
  dataRoot: string;
  group?: string;
  /** `--registry-mirror` URLs (repeatable): where `docker.io` images are pulled from. */
  registryMirror?: string[];
  /** `--runtime`: the OCI runtime that runs containers, `runc` (default), `crun` or a path. */
  runtime: string;
}

/** The signals that stop the daemon cleanly. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Parses the command line and runs the daemon until a shutdown signal.
 * @returns the exit code: 0 after a clean shutdown (and for --help/--version),
 *   1 when the daemon could not start, 2 for a bad command line.
 */
export async function main(argv: string[], io: DaemonIO): Promise<number> {
  const program = new Command('minidockerd')
    .description('The mini Docker daemon: serves the Engine API on a unix socket.')
    .option('-H, --host <address>', 'socket to listen on', `unix://${defaultSocketPath(io.env)}`)
    .option('--data-root <dir>', 'where the daemon keeps its state', defaultDataRoot(io.env))
    .option('--group <name>', 'group that may use the socket (mode 0660)')
    .option('--registry-mirror <url>', 'registry mirror for docker.io images, e.g. http://127.0.0.1:5000 (repeatable)', collect)
    .option('--runtime <name|path>', 'OCI runtime for containers: runc, crun or a path', 'runc')
    .version(packageVersion(), '-v, --version');
  const exit = parseServerCommandLine(program, argv, io);
  if (exit !== undefined) return exit;
  const flags = program.opts<DaemonFlags>();
  // The composition root builds every store and service once and hands the route groups their backends.
  return runDaemon(flags, io, [composeDaemon({ mirrors: flags.registryMirror ?? [], runtime: flags.runtime })]);
}

/**
 * Starts the daemon, reports where it listens on stderr, waits for SIGTERM or
 * SIGINT, closes the daemon and returns 0. A start failure (bad `-H`, a live
 * daemon on the socket, an unknown group) is printed as `minidockerd: <message>`
 * and returns 1.
 * @param routes route groups beyond the system routes (images …), handed to startDaemon.
 */
export async function runDaemon(flags: DaemonFlags, io: DaemonIO, routes: RouteRegistrar[] = []): Promise<number> {
  // TODO(lesson-03): Start the daemon, print where it listens, and on SIGTERM/SIGINT close it and return 0.
  // HINT: parseHost(flags.host) and startDaemon(…) inside one try: any failure → print and return 1.
  // HINT: pass `routes` on to startDaemon (options.routes): the images API lives there.
  // HINT: print `minidockerd listening on unix://<path> (API ${API_VERSION})` to io.stderr.
  // HINT: listen with process.on(signal) for each of SHUTDOWN_SIGNALS BEFORE startDaemon: a client may
  // HINT: signal as soon as the socket is bound, and an unheard SIGTERM kills the process. Then await
  // HINT: the first signal, remove the listeners again (also when the start failed), and await daemon.close().
  throw new NotImplementedError('lesson-03: runDaemon');
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
