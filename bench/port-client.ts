/**
 * The port section's HTTP client: one process per side, the same code on
 * both, so the proxy and the direct peer are measured the same way.
 *
 *   node --import tsx bench/port-client.ts <host> <port> <url path> <expected body file>
 *
 * The proxy's side runs it on the host against the published port; the
 * direct side runs it through `nsenter --net=/proc/<pid>/ns/net` against
 * 127.0.0.1:80 inside the container's network namespace.
 *
 * Protocol, one JSON line each way: it prints `{"ready":true}` once it read
 * the expected body, then for every line `{"requests":N,"concurrency":C}` on
 * stdin runs N GETs, C at a time, and prints `{"ms":[…],"seconds":S}` (each
 * request's latency, the batch's wall time) or `{"error":"…"}`. It exits when
 * stdin ends.
 *
 * Every GET opens a fresh TCP connection (`agent: false`: no keep-alive), the
 * case a port proxy pays for most, and is timed from the request
 * to the end of the response body; a status other than 200 or a body other
 * than the served file fails the batch, so a fast wrong answer cannot win.
 */
import fs from 'node:fs';
import http from 'node:http';
import readline from 'node:readline';

/** One batch asked for on stdin. */
export interface BatchRequest {
  requests: number;
  concurrency: number;
}

/** One batch's answer on stdout. */
export interface BatchResult {
  ms?: number[];
  seconds?: number;
  error?: string;
}

/** A request that takes longer fails its batch: a hung proxy never hangs the bench. */
const REQUEST_TIMEOUT_MS = 10_000;

function get(host: string, port: number, urlPath: string, expected: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.get({ host, port, path: urlPath, agent: false, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (res.statusCode !== 200) return reject(new Error(`GET ${urlPath} on ${host}:${port} answered ${res.statusCode}, not 200`));
        const body = Buffer.concat(chunks);
        if (!body.equals(expected)) return reject(new Error(`GET ${urlPath} on ${host}:${port} answered ${body.length} bytes that are not the served file (${expected.length} bytes)`));
        resolve(ms);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${urlPath} on ${host}:${port}: no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
  });
}

/** `requests` GETs by `concurrency` workers, each one after another on its own: every latency, in the order they ended. */
async function batch(host: string, port: number, urlPath: string, expected: Buffer, ask: BatchRequest): Promise<BatchResult> {
  const ms: number[] = [];
  let started = 0;
  let failure: Error | undefined;
  const worker = async (): Promise<void> => {
    // After a failure the other workers stop too: no request of this batch may outlive its answer.
    while (failure === undefined && started < ask.requests) {
      started++;
      try {
        ms.push(await get(host, port, urlPath, expected));
      } catch (err) {
        failure ??= err as Error;
      }
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.max(1, ask.concurrency) }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return failure ? { error: failure.message } : { ms, seconds };
}

async function main(): Promise<void> {
  const [host = '', portText = '', urlPath = '', expectedFile = ''] = process.argv.slice(2);
  if (!host || !portText || !urlPath || !expectedFile) throw new Error('usage: port-client.ts <host> <port> <url path> <expected body file>');
  const expected = fs.readFileSync(expectedFile);
  const say = (line: BatchResult | { ready: true }): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
  say({ ready: true });
  // One batch at a time: the parent waits for each answer before it asks again.
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    say(await batch(host, Number(portText), urlPath, expected, JSON.parse(line) as BatchRequest));
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`port-client: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
