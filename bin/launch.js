/**
 * Starts one of the mini Docker executables from the selected implementation
 * tree (src/ by default, solutions/ with DOCKERLINGS_IMPL=reference).
 *
 * The module at `<tree>/<entry>` must export
 * `main(argv: string[], io: { stdin, stdout, stderr, env }): Promise<number>`;
 * its result becomes the process exit code.
 */
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

register();

/**
 * @param {string} entry path of the entry module inside the tree, e.g. `cli/main.ts`
 */
export async function launch(entry) {
  const { implDir } = await import('../kata/impl.ts');
  let dir;
  try {
    dir = implDir();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const { main } = await import(pathToFileURL(path.join(dir, entry)).href);
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (err) {
    // A stub that is not written yet lands here: say which one, without a stack.
    process.stderr.write(`${err?.name === 'NotImplementedError' ? err.message : err?.stack ?? err}\n`);
    process.exitCode = 1;
  }
}
