/**
 * What every action of the workshop tool needs: where the repository is, which
 * tree to check, where to write, and whether a person is there to answer prompts.
 */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import enquirer from 'enquirer';
import type { Impl } from './impl-switch.js';

/** The part of a stream the tool writes to. */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The environment of one command. */
export interface Ctx {
  /** The repository root (the folder with lessons/, src/, solutions/, test/). */
  root: string;
  impl: Impl;
  out: Output;
  err: Output;
  chalk: ChalkInstance;
  /** True when stdin and stdout are terminals: prompts and the menu are possible. */
  interactive: boolean;
  /** Asks a yes/no question; only called when `interactive`. */
  confirm: (message: string) => Promise<boolean>;
}

/**
 * Colours for a stream: chalk's own detection (which honours FORCE_COLOR and
 * turns colours off without a TTY), plus NO_COLOR, which chalk ignores.
 */
export function chalkFor(env: NodeJS.ProcessEnv = process.env): ChalkInstance {
  if (env.FORCE_COLOR === undefined && env.NO_COLOR !== undefined && env.NO_COLOR !== '') {
    return new Chalk({ level: 0 });
  }
  return chalk;
}

/** A yes/no prompt on the terminal; Ctrl-C answers no. */
export async function promptConfirm(message: string, initial = false): Promise<boolean> {
  try {
    const answer = await enquirer.prompt<{ ok: boolean }>({ type: 'confirm', name: 'ok', message, initial });
    return answer.ok;
  } catch {
    return false;
  }
}

/** The context of a real command run on this process's streams. */
export function processCtx(root: string, impl: Impl): Ctx {
  return {
    root,
    impl,
    out: process.stdout,
    err: process.stderr,
    chalk: chalkFor(),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    confirm: (message) => promptConfirm(message),
  };
}
