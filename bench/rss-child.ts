/**
 * Unpacks one layer in a fresh process and reports how much its resident
 * memory grew meanwhile: `node --expose-gc --import tsx bench/rss-child.ts
 * <apply-layer module> <layer file> <rootfs>`, one JSON line on stdout.
 *
 * The baseline is VmRSS once the module is loaded and garbage collected; the
 * peak is the kernel's high-water mark VmHWM (reset at the baseline through
 * /proc/self/clear_refs), which sees peaks that a timer could miss while the
 * event loop is busy, together with samples taken every 20 ms.
 */
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

type ApplyLayer = (rootfs: string, layer: NodeJS.ReadableStream) => Promise<{ diffID: string; size: number }>;

async function statusField(field: 'VmRSS' | 'VmHWM'): Promise<number | undefined> {
  const status = await fs.readFile('/proc/self/status', 'utf8').catch(() => '');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

async function main(): Promise<void> {
  const [modulePath, layer, rootfs] = process.argv.slice(2);
  if (!modulePath || !layer || !rootfs) throw new Error('usage: rss-child.ts <apply-layer module> <layer> <rootfs>');
  const { applyLayer } = (await import(pathToFileURL(modulePath).href)) as { applyLayer: ApplyLayer };
  (globalThis as { gc?: () => void }).gc?.();
  const baseline = (await statusField('VmRSS')) ?? process.memoryUsage().rss;
  const hwmReset = await fs.writeFile('/proc/self/clear_refs', '5').then(() => true, () => false);
  let sampled = baseline;
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage().rss)), 20);
  const start = process.hrtime.bigint();
  let result: Awaited<ReturnType<ApplyLayer>>;
  try {
    result = await applyLayer(rootfs, createReadStream(layer));
  } finally {
    clearInterval(timer);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  sampled = Math.max(sampled, process.memoryUsage().rss);
  const hwm = hwmReset ? await statusField('VmHWM') : undefined;
  const peak = Math.max(sampled, hwm ?? 0);
  process.stdout.write(`${JSON.stringify({ seconds, baseline, peak, growth: peak - baseline, hwmReset, ...result })}\n`);
}

main().catch((err: unknown) => {
  const e = err as Error;
  process.stdout.write(`${JSON.stringify({ error: e.message, name: e.name })}\n`);
  process.exitCode = 1;
});
