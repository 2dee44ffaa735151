/**
 * Starts one of the mini Docker executables from the selected implementation
 * tree (src/ by default, solutions/ with DOCKERLINGS_IMPL=reference).
 *
 * The module at `<tree>/<entry>` must export
 * `main(argv: string[], io: { stdin, stdout, stderr, env }): Promise<number>`;
 * its result becomes the process exit code.
 *
 * Two ways to load it:
 * - compiled: `dist/<tree>/<entry>.js` from `npm run build` (bin/build.js),
 *   used only while the build is current: no `.ts` or `.sh` file and no folder of the
 *   tree (nor kata/impl-switch.ts) is newer than `dist/.build-stamp`. This path never
 *   loads tsx, whose start-up costs tens of milliseconds.
 * - TypeScript through tsx, as soon as anything was edited after the build
 *   (or there is none): a learner always runs the code they just saved.
 */
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Node 22.1+ keeps the compiled code of loaded modules on disk between runs; older Nodes lack it.
module.enableCompileCache?.();

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

/**
 * @param {string} entry path of the entry module inside the tree, e.g. `cli/main.ts`
 */
export async function launch(entry) {
  const compiled = await compiledEntry(entry);
  const modulePath = compiled ?? (await sourceEntry(entry));
  const { main } = await import(pathToFileURL(modulePath).href);
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
  try {
    process.exitCode = await main(process.argv.slice(2), io);
  } catch (err) {
    // A stub that is not written yet lands here: say which one, without a stack.
    process.stderr.write(`${err?.name === 'NotImplementedError' ? err.message : err?.stack ?? err}\n`);
    process.exitCode = 1;
  }
}

/** The TypeScript entry of the selected tree, with tsx registered to load it. */
async function sourceEntry(entry) {
  const { register } = await import('tsx/esm/api');
  register();
  const { implDir } = await import('../kata/impl-switch.ts');
  return path.join(orExit(implDir), entry);
}

/** The compiled entry when the build is current for the selected tree, else undefined. */
async function compiledEntry(entry) {
  const built = mtimeOf(path.join(dist, '.build-stamp'));
  if (built === undefined || isNewer(path.join(root, 'kata', 'impl-switch.ts'), built)) return undefined;
  // A build from before kata/impl-switch.ts had its name has no such module: run the sources.
  if (mtimeOf(path.join(dist, 'kata', 'impl-switch.js')) === undefined) return undefined;
  const { selectedImpl } = await import('../dist/kata/impl-switch.js');
  const tree = orExit(selectedImpl) === 'reference' ? 'solutions' : 'src';
  const file = path.join(dist, tree, entry.replace(/\.ts$/, '.js'));
  if (mtimeOf(file) === undefined || changedSince(path.join(root, tree), built)) return undefined;
  return file;
}

/**
 * Whether `dist/` holds a build of `tree` that is current, i.e. whether the
 * executables of that tree start from compiled JavaScript.
 * @param {'src' | 'solutions'} tree
 * @returns {boolean}
 */
export function buildIsCurrent(tree) {
  const built = mtimeOf(path.join(dist, '.build-stamp'));
  return built !== undefined && !isNewer(path.join(root, 'kata', 'impl-switch.ts'), built) && !changedSince(path.join(root, tree), built);
}

/** `select()` of kata/impl-switch.ts, or exit 2 with its message when DOCKERLINGS_IMPL is not understood. */
function orExit(select) {
  try {
    return select();
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** A file's mtime in ms, or undefined when it does not exist. */
function mtimeOf(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

function isNewer(file, than) {
  return (mtimeOf(file) ?? Infinity) > than;
}

/**
 * Whether any `.ts` or `.sh` file (bin/build.js copies those: the shim) or
 * folder under `dir` was modified after `than`.
 * A folder's mtime moves when an entry is added, removed or renamed, so a
 * deleted or renamed module counts too. About a hundred stats: ~1 ms.
 */
function changedSince(dir, than) {
  if (isNewer(dir, than)) return true;
  for (const dirent of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, dirent.name);
    if (dirent.isDirectory()) {
      if (changedSince(full, than)) return true;
    } else if (/\.(ts|sh)$/.test(dirent.name) && isNewer(full, than)) return true;
  }
  return false;
}
