/**
 * What the host holds that a check, a fixture or the benchmark may have left:
 * mounts and processes, read from /proc. Cleanups use these to undo
 * everything below their temp dirs, also when a check failed half way.
 */
import fs from 'node:fs';

/** Every mount point, in mount order (field 5 of /proc/self/mountinfo, `\NNN` octal escapes decoded). */
export function mountPoints(): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))));
}

/** Mount points at or below `dir`, deepest first: the order to unmount them in. */
export function mountsUnder(dir: string): string[] {
  return mountPoints()
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .reverse();
}

/** Pids of the processes (other than this one) whose command line contains `text`. */
export function processesNaming(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline = '';
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}
