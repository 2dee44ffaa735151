/**
 * The port section: what lesson 14's userland port proxy costs a request,
 * next to the same request without it.
 *
 * One busybox `httpd` in a runc container serves a 1 kB file on port 80 of
 * its own network namespace; bindPorts and startPortProxy of the selected
 * tree publish it on a kernel-chosen 127.0.0.1 port (bench/port-cases.ts).
 * Two clients of the same code (bench/port-client.ts) send GETs, each on a
 * fresh TCP connection: one on the host through the published port, one
 * started with nsenter in the container's namespace, straight to
 * 127.0.0.1:80. Three cases, the proxy's figures ÷ the direct client's
 * ({@link PORT_GOALS}):
 * 1. a request's latency, p50 and p99 over every request sent one after
 *    another. Goal: p50 ≤ 2 × direct.
 * 2. requests per second, one after another, and
 * 3. with 8 in flight. Goal: both ≥ 0.5 × direct.
 */
import chalk from 'chalk';
import { inCI } from '../fixtures/ci.js';
import { IMPL_ENV, selectedImpl } from '../kata/impl-switch.js';
import type { MeasuredRow } from './cases.js';
import { median } from './measure.js';
import { BODY_BYTES, BODY_PATH, setUpPortFixture } from './port-cases.js';
import type { HttpClient, PortFixture } from './port-cases.js';
import { runMode } from './run-fixture.js';
import { renderTable } from './table.js';
import { findTool } from './tools.js';

/**
 * The goals: through the proxy a request's p50 at most 2 × the direct one's,
 * and at least half the direct requests per second, alone and 8 at a time.
 *
 * Why so much room: a direct request is a connect, a fork of httpd and a 1 kB
 * answer on loopback; through the proxy the same request adds a second
 * connection, the proxy's accept and two copies through a Node process that
 * shares the machine's cores with the client, httpd and the kernel's
 * loopback. Measured on a 2-CPU VM busy with other work (load 2–5): p50
 * 2.7–3.7 ms through the proxy vs 2.1–2.7 ms direct (1.16–1.39 ×, rootless
 * too), req/s 0.67–0.91 × direct one at a time and 0.74–0.88 × with 8 in
 * flight. 2 × and 0.5 × leave room for a slower 2-core CI machine and still
 * fail a proxy that adds a round trip, a poll or a process per connection.
 */
export const PORT_GOALS = { p50VsDirect: 2, rpsVsDirect: 0.5 } as const;

/** The requests of each batch: one after another, and many with {@link PORT_LOAD}.concurrency in flight. */
export const PORT_LOAD = { sequential: 100, concurrent: 200, concurrency: 8 } as const;

/** One side's figures over the timed rounds, or why it stopped. */
interface Samples {
  /** Every request's latency in ms. */
  ms: number[];
  /** Every batch's wall time in s. */
  seconds: number[];
  error?: string;
}

/** One batch kind of one side. */
interface Planned {
  client: HttpClient;
  requests: number;
  concurrency: number;
  samples: Samples;
}

/** The p-th percentile (nearest rank) of a non-empty list. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Runs the batches round-robin, as the run section times its commands: one
 * untimed round, then `runs` rounds in which each batch runs once, so a slow
 * moment of the machine hits both sides alike. A side that fails stops and
 * keeps its first error.
 */
async function measure(planned: Planned[], runs: number, say: (line: string) => void): Promise<void> {
  const once = async (p: Planned, timed: boolean): Promise<void> => {
    if (p.samples.error !== undefined) return;
    try {
      const { ms, seconds } = await p.client.batch({ requests: p.requests, concurrency: p.concurrency });
      if (!timed) return;
      p.samples.ms.push(...ms);
      p.samples.seconds.push(seconds);
    } catch (err) {
      p.samples.error = (err as Error).message.split('\n')[0];
    }
  };
  for (const p of planned) await once(p, false);
  for (let round = 0; round < runs; round++) {
    if (round % 10 === 0) say(`ports: round ${round + 1} of ${runs} …`);
    for (const p of planned) await once(p, true);
  }
}

const failedRow = (caseName: string, tool: string, error: string): MeasuredRow => ({ case: caseName, tool, note: `failed: ${error}` });

/** Milliseconds to the microsecond, to keep the JSON results readable. */
const toMicros = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The latency case: p50 and p99 of both sides' sequential requests; the direct row judges the proxy's p50. */
function latencyRows(caseName: string, proxy: Samples, direct: Samples, labels: [string, string]): MeasuredRow[] {
  const row = (tool: string, s: Samples): MeasuredRow => {
    if (s.error !== undefined || s.ms.length === 0) return failedRow(caseName, tool, s.error ?? 'no requests');
    const percentiles = { p50: percentile(s.ms, 50), p99: percentile(s.ms, 99) };
    return { case: caseName, tool, seconds: percentiles.p50 / 1000, percentiles, runs: s.ms.map(toMicros) };
  };
  const rows = [row(labels[0], proxy), row(labels[1], direct)];
  const [viaProxy, raw] = rows as [MeasuredRow, MeasuredRow];
  if (viaProxy.percentiles) viaProxy.ratio = 1;
  if (viaProxy.percentiles && raw.percentiles) {
    raw.ratio = viaProxy.percentiles.p50 / raw.percentiles.p50;
    raw.goal = { text: `p50 ≤ ${PORT_GOALS.p50VsDirect} × direct`, met: raw.ratio <= PORT_GOALS.p50VsDirect };
  }
  return rows;
}

/** A throughput case: requests ÷ the median batch's wall time on both sides; the direct row judges the proxy's. */
function rateRows(caseName: string, requests: number, proxy: Samples, direct: Samples, labels: [string, string]): MeasuredRow[] {
  const row = (tool: string, s: Samples): MeasuredRow => {
    if (s.error !== undefined || s.seconds.length === 0) return failedRow(caseName, tool, s.error ?? 'no batches');
    const seconds = median(s.seconds);
    return { case: caseName, tool, seconds, rps: requests / seconds, runs: s.seconds };
  };
  const rows = [row(labels[0], proxy), row(labels[1], direct)];
  const [viaProxy, raw] = rows as [MeasuredRow, MeasuredRow];
  if (viaProxy.rps !== undefined) viaProxy.ratio = 1;
  if (viaProxy.rps !== undefined && raw.rps !== undefined) {
    raw.ratio = viaProxy.rps / raw.rps;
    raw.goal = { text: `≥ ${PORT_GOALS.rpsVsDirect} × direct`, met: raw.ratio >= PORT_GOALS.rpsVsDirect };
  }
  return rows;
}

/** The three cases on a set-up fixture. */
async function portCases(fx: PortFixture, label: string, runs: number, say: (line: string) => void): Promise<MeasuredRow[]> {
  const fresh = (): Samples => ({ ms: [], seconds: [] });
  const { sequential, concurrent, concurrency } = PORT_LOAD;
  const planned: Planned[] = [
    { client: fx.viaProxy, requests: sequential, concurrency: 1, samples: fresh() },
    { client: fx.direct, requests: sequential, concurrency: 1, samples: fresh() },
    { client: fx.viaProxy, requests: concurrent, concurrency, samples: fresh() },
    { client: fx.direct, requests: concurrent, concurrency, samples: fresh() },
  ];
  say(`measuring the port proxy (${planned.length} batches × ${runs} rounds, round-robin) …`);
  await measure(planned, runs, say);
  const [seqProxy, seqDirect, parProxy, parDirect] = planned.map((p) => p.samples) as [Samples, Samples, Samples, Samples];
  // A failure on the proxy's side is explained by the proxy's own log.
  for (const s of [seqProxy, parProxy]) if (s.error !== undefined) s.error = `${s.error} (${fx.proxyLog()})`;
  const labels: [string, string] = [label, 'direct, in its netns'];
  return [
    ...latencyRows(`GET ${BODY_BYTES / 1000} kB, new connection`, seqProxy, seqDirect, labels),
    ...rateRows(`${sequential} GETs, one at a time`, sequential, seqProxy, seqDirect, labels),
    ...rateRows(`${concurrent} GETs, ${concurrency} at a time`, concurrent, parProxy, parDirect, labels),
  ];
}

/** Options of {@link portSection}. */
export interface PortSectionOptions {
  runs: number;
  workDir: string;
  say: (line: string) => void;
}

/**
 * Runs the whole section: finds runc and nsenter, sets the fixture up, times
 * the cases and tears everything down.
 * @returns the printed text, the JSON results and the rows (a single skipped or failed row when it could not run).
 */
export async function portSection(options: PortSectionOptions): Promise<{ text: string; json: Record<string, unknown>; rows: MeasuredRow[] }> {
  const { runs, workDir, say } = options;
  const tree = selectedImpl() === 'reference' ? 'solutions' : 'src';
  const label = `port proxy (${tree === 'solutions' ? 'reference' : 'src/'})`;
  const [runc, nsenter] = await Promise.all([findTool('runc', 'apt-get install runc'), findTool('nsenter', 'apt-get install util-linux')]);
  const missing = [runc, nsenter].find((tool) => tool.path === undefined);
  let rows: MeasuredRow[] = [];
  let hostPort: number | undefined;
  if (missing) {
    // In CI a missing tool is a failure, never a skip (as the checks' prerequisites).
    rows = [{ case: 'port proxy', tool: label, note: inCI ? `failed: ${missing.name} is not installed: CI requires it` : missing.missing }];
  } else {
    let fx: PortFixture | undefined;
    try {
      fx = await setUpPortFixture(workDir, runc.path!, say);
    } catch (err) {
      const note = (err as Error).message.split('\n')[0] ?? String(err);
      const hint = /is not implemented yet/.test(note) ? ` — \`${IMPL_ENV}=reference npm run bench -- --only ports\` measures the reference` : '';
      rows = [failedRow('port proxy', label, `${note}${hint}`)];
    }
    if (fx) {
      try {
        hostPort = fx.hostPort;
        rows = await portCases(fx, label, runs, say);
      } finally {
        await fx.teardown();
      }
    }
  }
  const { sequential, concurrent, concurrency } = PORT_LOAD;
  const text = [
    `${chalk.bold('Port proxy benchmark')} — ${label} vs a client in the container's network namespace, busybox httpd, ${runs} rounds`,
    chalk.dim(`runc: ${runc.version ?? 'missing'}; nsenter: ${nsenter.version ?? 'missing'}; ${runMode()}`),
    '',
    renderTable(rows, { http: true }),
    '',
    chalk.dim(
      [
        `ratio = the proxy's p50 ÷ direct's (lower is better), or the proxy's req/s ÷ direct's (higher is better).`,
        `  Goals: p50 ≤ ${PORT_GOALS.p50VsDirect} × direct, req/s ≥ ${PORT_GOALS.rpsVsDirect} × direct one at a time and ${concurrency} at a time.`,
        `busybox \`httpd -f -p 80 -h /www\` in a runc container (lesson 10's buildSpec: its own network namespace, loopback only; a user`,
        `  namespace when rootless) serves ${BODY_PATH}, ${BODY_BYTES} bytes; 127.0.0.1:0->80/tcp is published through bindPorts and startPortProxy`,
        `  of ${tree}/, whose proxy runs once for the whole section: \`nsenter [--user …] --net=/proc/<pid>/ns/net -- node --import tsx proxy-main.ts\`.`,
        `Clients: bench/port-client.ts, one Node process per side, the same code: node:http GETs with agent: false (a fresh TCP connection`,
        `  per request, no keep-alive), each timed from the request to the end of its body, each body checked against the file.`,
        `  ${label}: on the host, to 127.0.0.1:<host port>. direct: \`nsenter [--user … --preserve-credentials] --net=/proc/<pid>/ns/net\`,`,
        `  to 127.0.0.1:80: httpd without the proxy. Both sides pay for httpd, the client and loopback; the ratio is what the proxy adds.`,
        `A round: ${sequential} GETs one at a time through each side, then ${concurrent} with ${concurrency} in flight through each; one untimed round first.`,
        `  p50 and p99 over every request sent one at a time (${sequential} × ${runs} per side); req/s = requests ÷ the median round's wall time.`,
      ].join('\n'),
    ),
  ].join('\n');
  const json = {
    tools: { runc: runc.version ?? null, nsenter: nsenter.version ?? null },
    mode: runMode(),
    tree,
    hostPort: hostPort ?? null,
    bodyBytes: BODY_BYTES,
    load: PORT_LOAD,
    runs,
    goals: PORT_GOALS,
    rows,
  };
  return { text, json, rows };
}
