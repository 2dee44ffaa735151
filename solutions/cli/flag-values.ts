/**
 * Provided: how the docker CLI reads the values of its management commands'
 * flags (`network …`, `volume …`), and its yes/no prompt. Shared helpers that
 * teach nothing about networks or volumes.
 *
 * ```
 * --filter label=a=b --filter name=web   ─▶ { label: ["a=b"], name: ["web"] }      (opts.FilterOpt)
 * --label team=x --label ci              ─▶ { team: "x", ci: "" }                  (opts.ConvertKVStringsToMap)
 * prune without -f                       ─▶ "WARNING! … Are you sure you want to continue? [y/N] "
 * ```
 */
import readline from 'node:readline';
import { InvalidArgumentError } from 'commander';
import type { Filters } from '../api/network-types.js';
import type { CliIO } from './context.js';

/**
 * docker's FilterOpt: each `name=value`, the name trimmed and lower-cased, the value trimmed.
 * @param flag how the error names the flag: `-f, --filter` or `--filter`.
 * @throws InvalidArgumentError `bad format of filter (expected name=value)` (exit 125).
 */
export function filtersOf(values: string[], flag: string): Filters {
  const filters: Filters = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq < 0) throw new InvalidArgumentError(`invalid argument ${JSON.stringify(value)} for "${flag}" flag: bad format of filter (expected name=value)`);
    (filters[value.slice(0, eq).trim().toLowerCase()] ??= []).push(value.slice(eq + 1).trim());
  }
  return filters;
}

/**
 * opts.ValidateLabel: the key (before any "=") must be non-empty and without whitespace.
 * @returns the label unchanged.
 * @throws InvalidArgumentError in pflag's words (exit 125).
 */
export function validateLabel(label: string): string {
  const key = label.split('=')[0]?.trim() ?? '';
  const refuse = (reason: string) => new InvalidArgumentError(`invalid argument ${JSON.stringify(label)} for "--label" flag: ${reason}`);
  if (key === '') throw refuse(`invalid label '${label}': empty name`);
  if (/\s/.test(key)) throw refuse(`label '${key}' contains whitespaces`);
  return label;
}

/** `k=v` strings as a map, split at the first `=`; `k` alone is `k: ""` (opts.ConvertKVStringsToMap). */
export function keyValues(values: string[]): Record<string, string> {
  return Object.fromEntries(values.map((value) => {
    const eq = value.indexOf('=');
    return eq < 0 ? [value, ''] : [value.slice(0, eq), value.slice(eq + 1)];
  }));
}

/** docker's prompt: the question and ` [y/N] ` on stdout, then one line of stdin; true for `y` or `yes`. */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  io.stdout.write(`${question} [y/N] `);
  const lines = readline.createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      lines.once('close', () => resolve(''));
    });
    return ['y', 'yes'].includes(answer.trim().toLowerCase());
  } finally {
    lines.close();
    io.stdin.pause(); // a paused stdin no longer keeps the process alive
  }
}
