/**
 * Provided: docker's detach keys, for attach now and exec later. Parsing a
 * key list and matching bytes across chunks teach nothing about containers;
 * what the lesson teaches is where the watcher goes (between the client's
 * stdin and the container's) and what a detach does: the attach ends, the
 * container keeps running.
 *
 * ```
 * ?detachKeys=ctrl-p,ctrl-q   ─▶ [0x10, 0x11]   (also the default)
 * ?detachKeys=ctrl-a,x        ─▶ [0x01, 0x78]
 * client bytes  "ls\x10\x11"  ─▶ "ls" to the container, then 'detach'
 * client bytes  "\x10a"       ─▶ "\x10a" (no match: the held byte goes on)
 * ```
 */
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/** Ctrl-P Ctrl-Q: the sequence docker detaches on when none is given. */
export const DEFAULT_DETACH_KEYS: Readonly<Buffer> = Buffer.from([0x10, 0x11]);

// `ctrl-a` … `ctrl-z` are 1 … 26; these are the others a terminal can send.
const CTRL_SYMBOLS: Readonly<Record<string, number>> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/**
 * Docker's detach keys (moby/term `ToBytes`): comma-separated keys, each one
 * character or `ctrl-<a–z, @, [, \, ], ^, _>`, any case. '' is the default.
 * @returns the bytes, or undefined for a list docker refuses.
 */
export function parseDetachKeys(text: string): Buffer | undefined {
  if (text === '') return Buffer.from(DEFAULT_DETACH_KEYS);
  const codes: number[] = [];
  for (const key of text.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0));
      continue;
    }
    const lower = key.toLowerCase();
    if (!lower.startsWith('ctrl-') || lower.length !== 6) return undefined;
    const symbol = lower.charAt(5);
    if (symbol >= 'a' && symbol <= 'z') codes.push(symbol.charCodeAt(0) - 96);
    else if (symbol in CTRL_SYMBOLS) codes.push(CTRL_SYMBOLS[symbol] ?? 0);
    else return undefined;
  }
  return codes.every((code) => code <= 0xff) ? Buffer.from(codes) : undefined;
}

/**
 * A pass-through for the client's stdin that watches for `keys`: bytes that
 * could begin the sequence are held back until the next byte decides; on the
 * whole sequence it emits `'detach'` and passes nothing more (the sequence
 * itself never reaches the container). Matching is per byte, however the
 * client's writes are cut.
 */
export class DetachKeysWatcher extends Transform {
  readonly #keys: Buffer;
  #matched = 0;
  #detached = false;

  constructor(keys: Buffer) {
    super();
    this.#keys = keys;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.#detached || this.#keys.length === 0) {
      if (!this.#detached) this.push(chunk);
      done();
      return;
    }
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === this.#keys[this.#matched]) {
        // Bytes before a possible start of the sequence go on now.
        if (this.#matched === 0 && i > start) this.push(chunk.subarray(start, i));
        if (this.#matched === 0) start = i;
        this.#matched++;
        if (this.#matched === this.#keys.length) {
          this.#detached = true;
          this.emit('detach');
          done();
          return;
        }
        continue;
      }
      if (this.#matched > 0) {
        // Not the sequence after all: what was held goes on (it may span chunks).
        const held = this.#keys.subarray(0, this.#matched);
        this.#matched = 0;
        this.push(Buffer.from(held));
        start = i;
        i--; // this byte may itself begin the sequence
        continue;
      }
    }
    if (this.#matched === 0 && start < chunk.length) this.push(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.#detached && this.#matched > 0) this.push(Buffer.from(this.#keys.subarray(0, this.#matched)));
    done();
  }
}
