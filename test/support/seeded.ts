/**
 * Seeded randomness for checks whose inputs a lookup table could memorise:
 * each run draws a seed (or takes DOCKERLINGS_SEED), prints it in every
 * failure message, and the same seed repeats the same inputs.
 */
import { randomInt } from 'node:crypto';

/** A seeded generator of numbers in [0, 1) (mulberry32), and the note that names its seed. */
export interface Seeded {
  seed: number;
  /** `(seed N: DOCKERLINGS_SEED=N repeats this run)`, for assertion messages. */
  why: string;
  next(): number;
  /** A whole number in [min, max]. */
  int(min: number, max: number): number;
}

/** A generator from DOCKERLINGS_SEED, else a fresh random seed. */
export function seeded(seed: number = Number(process.env.DOCKERLINGS_SEED ?? randomInt(1, 2 ** 31))): Seeded {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return { seed, why: `(seed ${seed}: DOCKERLINGS_SEED=${seed} repeats this run)`, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** A name from the seed: `prefix` and `length` lower-case letters, valid as a container, network, volume or host name. */
export function nameFrom(rng: Seeded, prefix: string, length = 6): string {
  let name = prefix;
  for (let i = 0; i < length; i++) name += String.fromCharCode(97 + rng.int(0, 25));
  return name;
}
