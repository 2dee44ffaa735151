/**
 * The result table: one row per case and tool, with the implementation's
 * ratio against each competitor and whether the goal is met. A `ms/layer`
 * column appears when some row has that figure (the registry section).
 */
import chalk from 'chalk';

/** One measured (or skipped) row. */
export interface Row {
  case: string;
  tool: string;
  /** Median seconds; undefined when the row did not run. */
  seconds?: number;
  /** Megabytes (10^6 bytes) per second: uncompressed tar when unpacking, compressed layers on the wire. */
  mbps?: number;
  /** Median milliseconds per layer of the image. */
  msPerLayer?: number;
  /** The implementation's MB/s divided by this row's (1.00 for the implementation itself). */
  ratio?: number;
  /** The goal this row judges, e.g. `≥ 0.8 × tar`, and whether it is met. */
  goal?: { text: string; met: boolean };
  /** Why the row has no numbers (not installed, failed …). */
  note?: string;
}

interface Column {
  header: string;
  numeric?: boolean;
  cell(row: Row): string;
}

const goalText = (row: Row): string => (row.goal ? `${row.goal.met ? '✓' : '✗'} ${row.goal.text}` : '');
const figure = (value: number | undefined, digits: number, suffix = ''): string => (value === undefined ? '' : `${value.toFixed(digits)}${suffix}`);

function columns(withMsPerLayer: boolean): Column[] {
  return [
    { header: 'case', cell: (r) => r.case },
    { header: 'tool', cell: (r) => r.tool },
    { header: 'median s', numeric: true, cell: (r) => figure(r.seconds, 2) },
    { header: 'MB/s', numeric: true, cell: (r) => figure(r.mbps, 1) },
    ...(withMsPerLayer ? [{ header: 'ms/layer', numeric: true, cell: (r: Row) => figure(r.msPerLayer, 1) }] : []),
    { header: 'ratio', numeric: true, cell: (r) => figure(r.ratio, 2, '×') },
    {
      header: 'goal',
      cell: (r) => {
        if (r.seconds === undefined) return r.note ?? goalText(r);
        const goal = goalText(r);
        return r.note ? `${goal}${goal ? '  ' : ''}(${r.note})` : goal;
      },
    },
  ];
}

function colour(text: string, row: Row, last: boolean): string {
  if (!last) return text;
  if (row.seconds === undefined) return chalk.dim(text);
  if (!row.goal) return text;
  return row.goal.met ? chalk.green(text) : chalk.red(text);
}

/** The rows as an aligned text table (the case name printed once per group). */
export function renderTable(rows: Row[]): string {
  const cols = columns(rows.some((r) => r.msPerLayer !== undefined));
  const table = rows.map((row, i) =>
    cols.map((col, c) => {
      if (c === 0) return row.case === rows[i - 1]?.case ? '' : row.case;
      if (row.seconds === undefined && c > 1 && c < cols.length - 1) return '—';
      return col.cell(row);
    }),
  );
  const widths = cols.map((col, c) => Math.max(col.header.length, ...table.map((r) => r[c]!.length)));
  const line = (r: string[], row?: Row): string =>
    r
      .map((cell, c) => {
        const padded = cols[c]!.numeric ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!);
        return row ? colour(padded, row, c === cols.length - 1) : padded;
      })
      .join('  ')
      .trimEnd();
  const out = [chalk.bold(line(cols.map((col) => col.header))), widths.map((w) => '─'.repeat(w)).join('  ')];
  table.forEach((r, i) => {
    if (i > 0 && rows[i]!.case !== rows[i - 1]!.case) out.push('');
    out.push(line(r, rows[i]));
  });
  return out.join('\n');
}
