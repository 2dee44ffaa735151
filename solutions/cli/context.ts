/**
 * Provided: what lesson 02's verbs receive.
 *
 * What every `minidocker` verb receives: the Engine API client and the
 * process's streams. Verbs never touch `process` directly, so the graded
 * checks can run them in-process against a fake daemon.
 */
import type { Readable, Writable } from 'node:stream';
import type { EngineClient } from '../client/engine-client.js';

/** Standard input: a terminal offers raw mode (`docker run -it`), a pipe does not. */
export type CliInput = Readable & {
  isTTY?: boolean;
  /** Turns line buffering and echo off (true) or back on (false); terminals only. */
  setRawMode?(mode: boolean): unknown;
};

/** Standard output: a terminal knows its size. */
export type CliOutput = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/** The streams and environment of one CLI invocation. */
export interface CliIO {
  stdin: CliInput;
  stdout: CliOutput;
  stderr: Writable;
  /** The environment: `MINIDOCKER_HOST`, and the values of bare `-e KEY` flags. */
  env: NodeJS.ProcessEnv;
}

/** What a verb works with. */
export interface CommandContext {
  /** A client for the daemon chosen by `-H` / `MINIDOCKER_HOST`. */
  client: EngineClient;
  io: CliIO;
}

/**
 * An error that decides the exit code itself, like the docker CLI's
 * `StatusError`: `main` prints the message (when there is one) to stderr and
 * exits with `status`. Any other error prints and exits 1.
 */
export class StatusError extends Error {
  constructor(
    /** The process exit code. */
    readonly status: number,
    message = '',
  ) {
    super(message);
    this.name = 'StatusError';
  }
}
