/**
 * The result table: one row per case and tool, with the implementation's
 * ratio against each competitor and whether the goal is met.
 */
import chalk from 'chalk';

/** One measured (or skipped) row. */
export interface Row {
  case: string;
  tool: string;
  /** Median seconds; undefined when the row did not run. */
  seconds?: number;
  /** Uncompressed megabytes (10^6 bytes) per second. */
  mbps?: number;
  /** The implementation's MB/s divided by this row's (1.00 for the implementation itself). */
  ratio?: number;
  /** The goal this row judges, e.g. `≥ 0.8 × tar`, and whether it is met. */
  goal?: { text: string; met: boolean };
  /** Why the row has no numbers (not installed, failed …). */
  note?: string;
}

const HEADERS = ['case', 'tool', 'median s', 'MB/s', 'ratio', 'goal'];

function cells(row: Row, previousCase: string | undefined): string[] {
  const goal = row.goal ? `${row.goal.met ? '✓' : '✗'} ${row.goal.text}` : '';
  if (row.seconds === undefined) {
    return [row.case === previousCase ? '' : row.case, row.tool, '—', '—', '—', row.note ?? goal];
  }
  return [
    row.case === previousCase ? '' : row.case,
    row.tool,
    row.seconds.toFixed(2),
    row.mbps === undefined ? '' : row.mbps.toFixed(1),
    row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`,
    row.note ? `${goal}${goal ? '  ' : ''}(${row.note})` : goal,
  ];
}

function colour(text: string, row: Row, column: number): string {
  if (column !== 5) return text;
  if (row.seconds === undefined) return chalk.dim(text);
  if (!row.goal) return text;
  return row.goal.met ? chalk.green(text) : chalk.red(text);
}

/** The rows as an aligned text table (the case name printed once per group). */
export function renderTable(rows: Row[]): string {
  const table = rows.map((row, i) => cells(row, rows[i - 1]?.case));
  const widths = HEADERS.map((h, c) => Math.max(h.length, ...table.map((r) => r[c]!.length)));
  const numeric = new Set([2, 3, 4]);
  const line = (r: string[], row?: Row): string =>
    r
      .map((cell, c) => {
        const padded = numeric.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
        return row ? colour(padded, row, c) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [chalk.bold(line(HEADERS)), widths.map((w) => '─'.repeat(w)).join('  ')];
  table.forEach((r, i) => {
    if (i > 0 && rows[i]!.case !== rows[i - 1]!.case) out.push('');
    out.push(line(r, rows[i]));
  });
  return out.join('\n');
}
