/**
 * The result table: one row per case and tool, with the implementation's
 * ratio against each competitor and whether the goal is met. A `ms/layer`
 * column appears when some row has that figure (the registry section); rows
 * with latencies (the run section) get median, min and max milliseconds
 * instead of seconds and MB/s; rows of HTTP requests (the port section)
 * get p50 and p99 milliseconds and requests per second.
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
  /** Latency of one operation in milliseconds over the runs (the run section). */
  ms?: { median: number; min: number; max: number };
  /** Percentiles of one request's latency in milliseconds (the port section). */
  percentiles?: { p50: number; p99: number };
  /** Requests per second (the port section). */
  rps?: number;
  /**
   * The implementation's MB/s divided by this row's (1.00 for the implementation itself);
   * for latencies, the implementation's median ms divided by this row's (lower is better);
   * in the port section, the proxy's p50 ms or req/s divided by the direct client's.
   */
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

const LATENCY_COLUMNS: Column[] = [
  { header: 'median ms', numeric: true, cell: (r) => figure(r.ms?.median, 1) },
  { header: 'min ms', numeric: true, cell: (r) => figure(r.ms?.min, 1) },
  { header: 'max ms', numeric: true, cell: (r) => figure(r.ms?.max, 1) },
];

const HTTP_COLUMNS: Column[] = [
  { header: 'p50 ms', numeric: true, cell: (r) => figure(r.percentiles?.p50, 2) },
  { header: 'p99 ms', numeric: true, cell: (r) => figure(r.percentiles?.p99, 2) },
  { header: 'req/s', numeric: true, cell: (r) => figure(r.rps, 0) },
];

function columns(withMsPerLayer: boolean, latency: boolean, http: boolean): Column[] {
  const figures: Column[] = http
    ? HTTP_COLUMNS
    : latency
    ? LATENCY_COLUMNS
    : [
        { header: 'median s', numeric: true, cell: (r) => figure(r.seconds, 2) },
        { header: 'MB/s', numeric: true, cell: (r) => figure(r.mbps, 1) },
      ];
  return [
    { header: 'case', cell: (r) => r.case },
    { header: 'tool', cell: (r) => r.tool },
    ...figures,
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

/**
 * The rows as an aligned text table (the case name printed once per group).
 * @param options.latency the latency columns even when no row has figures (all failed).
 * @param options.http the HTTP columns even when no row has figures.
 */
export function renderTable(rows: Row[], options: { latency?: boolean; http?: boolean } = {}): string {
  const cols = columns(
    rows.some((r) => r.msPerLayer !== undefined),
    options.latency === true || rows.some((r) => r.ms !== undefined),
    options.http === true || rows.some((r) => r.percentiles !== undefined || r.rps !== undefined),
  );
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
