/**
 * Provided: the command-line plumbing of both servers, which lessons 03 and 07 call.
 *
 * The command-line parsing that minidockerd and minidocker-registry share:
 * commander writes help, `--version` and usage errors to the given streams
 * and returns an exit code, instead of exiting the process itself.
 */
import { CommanderError } from 'commander';
import type { Command } from 'commander';

/** Where a server's command line writes help, its version and usage errors. */
export interface CommandLineOutput {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * Parses `argv` (the arguments after the program's name) with `program`.
 * @returns undefined when the server should run; else its exit code: 0 after
 *   `--help` or `--version`, 2 for a bad command line (commander printed why).
 */
export function parseServerCommandLine(program: Command, argv: string[], io: CommandLineOutput): number | undefined {
  program.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  try {
    program.parse(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  return undefined;
}
