/**
 * Provided: the named pipes lesson 11's tasks carry a container's output through.
 *
 * Named pipes (FIFOs) for a container's stdio: the container writes into
 * `<dir>/stdout` and `<dir>/stderr`, the daemon reads them, and either side
 * may come and go without the other noticing (containerd's fifos work the
 * same way).
 *
 * ```
 * <container dir>/
 * ├── stdout   prw-------  container → daemon
 * ├── stderr   prw-------  container → daemon
 * └── stdin    prw-------  daemon → container (only with OpenStdin)
 * ```
 *
 * Two kernel rules make this work (fifo(7), pipe(7)):
 * - `open(O_RDONLY | O_NONBLOCK)` succeeds at once even with no writer, and
 *   such a reader sees end-of-file only after a writer has come AND gone
 *   (poll reports POLLHUP only for writers that closed after the open);
 * - a process that opens a fifo read-write is a reader and a writer at once,
 *   so its own open never blocks and nobody gets EPIPE while it holds it.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * Creates the named pipes, owner-only (mode 0600), with the `mkfifo` binary
 * (Node has no mkfifo(3)).
 * @throws the mkfifo error (a path that exists, a missing directory).
 */
export async function mkfifo(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  await exec('mkfifo', ['-m', '600', '--', ...paths]);
}

/**
 * Opens a fifo for reading without blocking, as a paused-until-read
 * `net.Socket`. Safe when no writer exists yet: the socket sees data once one
 * writes, and ends once every writer that came has closed. Destroying the
 * socket closes the fd.
 * @throws ENOENT when the fifo does not exist.
 */
export function openFifoReader(path: string): net.Socket {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    return new net.Socket({ fd, readable: true, writable: false });
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/**
 * Opens the fifo as a writer and closes it again at once. A reader opened
 * with {@link openFifoReader} after every writer was already gone would wait
 * forever; this brief writer makes it see end-of-file after the data still in
 * the pipe. Use it only once the real writers are known to be gone. Does
 * nothing when no reader has the fifo open or the fifo is missing.
 */
export function hangUpFifo(path: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return; // ENXIO: no reader; ENOENT: no fifo
  }
  fs.closeSync(fd);
}
