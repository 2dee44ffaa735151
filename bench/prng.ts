/**
 * Deterministic content for the benchmark's layers: the same seed gives the
 * same bytes on every machine, so a cached input is reused and two runs unpack
 * exactly the same data.
 *
 * Two kinds of content, because unpack speed depends on how well the layer
 * compresses: {@link randomBytes} (AES-256-CTR keystream: incompressible, and
 * fast to make in bulk) and {@link textBytes} (words from a small vocabulary:
 * gzip shrinks it to roughly a fifth, like source code and configuration).
 */
import { createCipheriv, createHash } from 'node:crypto';

/** A small seeded generator (mulberry32) for choices: sizes, names, modes. */
export class Prng {
  private state: number;

  constructor(seed: string) {
    this.state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  }

  /** The next 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 2 ** 32;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }
}

/** `size` incompressible bytes determined by `seed`. */
export function randomBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

const WORDS = (
  'the a layer image blob digest manifest config index tag name root file ' +
  'directory link mode owner group time size stream buffer read write open close ' +
  'container runtime bundle process signal exit status socket request response ' +
  'header body json error version api engine daemon client registry push pull ' +
  'build step cache history env path user work entry point volume port network host ' +
  'label shell copy add run from arg expose stop health check mount'
)
  .split(' ')
  .slice(0, 64)
  .map((w) => Buffer.from(w));

/** `size` bytes of word-salad text determined by `seed`: lines of words from a 64-word vocabulary. */
export function textBytes(seed: string, size: number): Buffer {
  const choices = randomBytes(seed, Math.ceil(size / 3) + 16);
  const out = Buffer.allocUnsafe(size + 32);
  let at = 0;
  for (let i = 0; at < size; i++) {
    const pick = choices[i % choices.length]!;
    at += WORDS[pick & 63]!.copy(out, at);
    out[at++] = (pick & 0xc0) === 0 && (choices[(i + 1) % choices.length]! & 3) === 0 ? 0x0a : 0x20;
  }
  return out.subarray(0, size);
}
