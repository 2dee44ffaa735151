#!/usr/bin/env node
/**
 * `npm run build` (and `npm install`, through `prepare`): compiles both
 * implementation trees and kata/impl-switch.ts to plain JavaScript, so the
 * executables in bin/ start without compiling TypeScript on every run.
 *
 * ```
 * dist/
 * ├── .build-stamp      its mtime is the moment the build STARTED
 * ├── package.json  →   ../package.json (a symlink: ESM, and the version context.ts reads)
 * ├── kata/impl-switch.js
 * ├── src/…             the learner's tree, as it was at build time
 * └── solutions/…       the reference
 * ```
 * tsc emits only JavaScript: every `*.sh` of a tree (runtime/shim.sh, the
 * container's shim) is copied next to its compiled modules, where they find it.
 * bin/launch.js runs `dist/<tree>/…` only while no file of that tree is newer
 * than the stamp; otherwise it compiles on the fly with tsx, so an edit to
 * src/ is never hidden behind an old build. Stamping the start, not the end,
 * means a file saved during the build counts as newer.
 *
 * Then each executable's entry (`cli/main.js`, `daemon/main.js`,
 * `registry/main.js`) is replaced by one bundled file, its dependencies
 * inlined, when esbuild is there (a devDependency): Node 20 pays a lot per
 * ES module it loads, and the CLI starts about 12 ms sooner from one file
 * than from its twenty. A module inlined from another folder keeps its own
 * `import.meta.url`: it becomes the URL of that module's compiled file,
 * computed from the bundle's, so its relative paths (runtime/shim.ts finds
 * shim.sh with `new URL('./shim.sh', import.meta.url)`, runtime/port-proxy.ts
 * the port proxy's entry, proxy-main.js, which stays a module of its own
 * next to it) resolve as unbundled.
 * An entry is left unbundled when such a module uses any other part of
 * `import.meta` (`dirname`, `resolve` …), which the bundle would move.
 *
 * Emits without type checking (`noCheck`): a learner's half-done lesson must
 * not break `npm install`; `npm run typecheck` is where types are judged.
 * With `--prepare` (npm's `prepare` hook) a failed build is reported and
 * exits 0: the install goes on and bin/ runs the sources through tsx.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');

const prepare = process.argv.includes('--prepare');

/** Says why there is no build and ends: exit 1, or 0 under `prepare` so `npm install` goes on. */
function giveUp(why) {
  process.stderr.write(`build: ${why}; bin/ runs the TypeScript sources through tsx instead\n`);
  process.exit(prepare ? 0 : 1);
}

const started = new Date();
// The stamp goes with it: a launch during the build falls back to tsx instead of loading half a tree.
fs.rmSync(dist, { recursive: true, force: true });
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  giveUp('typescript is not installed (npm install without --omit=dev)');
}
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) giveUp(`tsc failed (${result.signal ?? `exit ${result.status}`})`);
copyScripts();
const bundled = await bundleEntries();
fs.symlinkSync(path.join('..', 'package.json'), path.join(dist, 'package.json'));
fs.writeFileSync(stamp, `built from the sources as they were at ${started.toISOString()}\n`);
fs.utimesSync(stamp, started, started);
process.stdout.write(`build: dist/ ready in ${Date.now() - started.getTime()} ms; bundled: ${bundled.join(', ') || 'none'}\n`);

/** Copies each tree's `*.sh` files to the same place under dist/ (keeping their mode). */
function copyScripts() {
  for (const tree of ['src', 'solutions']) {
    for (const file of fs.readdirSync(path.join(root, tree), { recursive: true })) {
      if (!file.endsWith('.sh')) continue;
      fs.mkdirSync(path.dirname(path.join(dist, tree, file)), { recursive: true });
      fs.copyFileSync(path.join(root, tree, file), path.join(dist, tree, file));
    }
  }
}

/**
 * An esbuild plugin for a bundle written into `bundleDir`: in every module
 * from another folder, `import.meta.url` becomes the URL of that module's own
 * file, resolved from the bundle's. Modules that use another part of
 * `import.meta` are collected in `unmovable`: the bundle cannot keep them right.
 */
function keepModuleUrls(bundleDir, unmovable) {
  return {
    name: 'keep-module-urls',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?js$/ }, (args) => {
        if (path.dirname(args.path) === bundleDir) return undefined;
        const code = fs.readFileSync(args.path, 'utf8');
        if (!code.includes('import.meta')) return undefined;
        if (/import\.meta(?!\.url\b)/.test(code)) unmovable.push(path.relative(root, args.path));
        const own = JSON.stringify(path.relative(bundleDir, args.path).split(path.sep).join('/'));
        return { contents: code.replaceAll('import.meta.url', `new URL(${own}, import.meta.url).href`), loader: 'js' };
      });
    },
  };
}

/**
 * Replaces each tree's entry modules by bundles; without esbuild, leaves tsc's files as they are.
 * Why an entry stays unbundled is printed with `--verbose`: it still runs, only starts slower.
 * @returns the entries bundled, e.g. `solutions/cli/main.js`.
 */
async function bundleEntries() {
  const bundled = [];
  const skip = (why) => process.argv.includes('--verbose') && process.stderr.write(`build: ${why}\n`);
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    skip('esbuild is not installed: the entries stay unbundled');
    return bundled;
  }
  for (const tree of ['src', 'solutions']) {
    for (const entry of ['cli/main.js', 'daemon/main.js', 'registry/main.js']) {
      const file = path.join(dist, tree, entry);
      if (!fs.existsSync(file)) continue;
      const outfile = `${file}.bundle`;
      const unmovable = [];
      const result = await esbuild
        .build({
          entryPoints: [file],
          outfile,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: 'node20',
          keepNames: true,
          logLevel: 'silent',
          plugins: [keepModuleUrls(path.dirname(file), unmovable)],
          // The CommonJS packages inlined (commander, tar-stream, bcryptjs) call require() for Node's modules.
          banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        })
        // An import that does not resolve (a module not written yet) fails the same way unbundled, at run time.
        .catch((err) => void skip(`${tree}/${entry} stays unbundled: ${err.message.split('\n')[1] ?? err.message}`));
      if (result === undefined) continue;
      if (unmovable.length > 0) {
        fs.rmSync(outfile);
        skip(`${tree}/${entry} stays unbundled: ${unmovable.join(', ')} use import.meta beyond import.meta.url from another folder`);
        continue;
      }
      fs.renameSync(outfile, file);
      bundled.push(`${tree}/${entry}`);
    }
  }
  return bundled;
}
