/**
 * `npm run images [-- --out DIR]`: builds the offline base images `busybox`
 * and `hello-world` from this machine's static busybox, as OCI image layouts
 * (default: `<repo>/images/`). Prints each image's ref, manifest digest and
 * size; when skopeo is installed it also reads each layout back as a check.
 *
 * The same builder makes the fixtures of the lessons' tests
 * (fixtures/base-images.ts), always with the reference implementation.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import chalk from 'chalk';
import { Command } from 'commander';
import { BASE_IMAGE_NAMES, buildBaseImages } from '../fixtures/base-images.js';
import { findExecutable } from './doctor.js';
import { repoRoot } from './impl-switch.js';

const exec = promisify(execFile);

function humanSize(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

/** Reads a layout back with `skopeo inspect`; the error's last line when it cannot. */
async function skopeoInspect(skopeo: string, layoutDir: string, ref: string): Promise<{ ok: boolean; detail: string }> {
  try {
    const { stdout } = await exec(skopeo, ['inspect', `oci:${layoutDir}:${ref}`]);
    const info = JSON.parse(stdout) as { Architecture?: string; Os?: string; Layers?: unknown[] };
    return { ok: true, detail: `${info.Os ?? '?'}/${info.Architecture ?? '?'}, ${info.Layers?.length ?? 0} layer(s)` };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, detail: (e.stderr ?? e.message).trim().split('\n').at(-1) ?? '' };
  }
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('npm run images --')
    .description('build the offline base images (busybox, hello-world) as OCI image layouts')
    .option('--out <dir>', 'where to write the layouts', path.join(repoRoot, 'images'))
    .parse(argv, { from: 'user' });
  const outDir = path.resolve(program.opts<{ out: string }>().out);
  const out = process.stdout;

  let images;
  try {
    images = await buildBaseImages(outDir);
  } catch (err) {
    process.stderr.write(`${chalk.red('✗')} ${(err as Error).message}\n`);
    return 1;
  }
  const skopeo = (await findExecutable('skopeo'))?.path;
  for (const name of BASE_IMAGE_NAMES) {
    const image = images[name];
    const relative = path.relative(process.cwd(), image.layoutDir);
    const where = relative.startsWith('..') ? image.layoutDir : relative;
    out.write(`${chalk.green('✓')} ${chalk.bold(`${name}:${image.ref}`)}  ${image.manifestDigest}  ${humanSize(image.size)}  oci:${where}:${image.ref}\n`);
    if (skopeo) {
      const check = await skopeoInspect(skopeo, image.layoutDir, image.ref);
      out.write(chalk.dim(`    skopeo inspect: ${check.ok ? 'ok' : 'FAILED'}, ${check.detail}\n`));
      if (!check.ok) return 1;
    }
  }
  if (!skopeo) out.write(chalk.dim('(skopeo is not installed: the layouts were not read back)\n'));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`images: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
