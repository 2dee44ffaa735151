/**
 * Finds the doctor (kata/doctor.ts) at run time, so the rest of the tool works
 * in a checkout that does not have it.
 */
import fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Ctx } from './context.js';

/** The doctor's entry point: prints its findings, says whether the machine is fit. */
export type RunDoctor = (out: NodeJS.WritableStream) => Promise<{ ok: boolean; findings: unknown[] }>;

/** Loads `runDoctor` from kata/doctor.ts (or .js); undefined when there is no such file. */
export async function loadDoctor(): Promise<RunDoctor | undefined> {
  for (const name of ['doctor.ts', 'doctor.js']) {
    const file = fileURLToPath(new URL(`./${name}`, import.meta.url));
    if (!fs.existsSync(file)) continue;
    const mod = (await import(pathToFileURL(file).href)) as { runDoctor?: RunDoctor };
    if (typeof mod.runDoctor === 'function') return mod.runDoctor;
    throw new Error(`kata/${name} does not export runDoctor`);
  }
  return undefined;
}

/** `doctor`: runs only the doctor; exit 1 when it found a problem or does not exist. */
export async function doctorAction(ctx: Ctx, load: () => Promise<RunDoctor | undefined> = loadDoctor): Promise<number> {
  const runDoctor = await load();
  if (!runDoctor) {
    ctx.err.write('The doctor is not available in this checkout (kata/doctor.ts is missing).\n');
    return 1;
  }
  const { ok } = await runDoctor(ctx.out as NodeJS.WritableStream);
  return ok ? 0 : 1;
}

/** The doctor before the lesson list of `npm start`: its verdict never stops the list. */
export async function doctorBeforeStart(ctx: Ctx, load: () => Promise<RunDoctor | undefined> = loadDoctor): Promise<void> {
  const runDoctor = await load();
  if (!runDoctor) return;
  try {
    const { ok } = await runDoctor(ctx.out as NodeJS.WritableStream);
    if (!ok) ctx.out.write(ctx.chalk.yellow('The doctor found problems (above); some lessons cannot pass until they are fixed.\n'));
  } catch (err) {
    ctx.err.write(ctx.chalk.yellow(`The doctor could not finish: ${(err as Error).message}\n`));
  }
  ctx.out.write('\n');
}
