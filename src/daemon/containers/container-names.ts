/**
 * Provided: the name rule and the name generator lesson 12 uses.
 *
 * Container names: the rule a given name must follow, and the docker-like
 * `adjective_surname` names the daemon makes up when none is given.
 * The surnames are scientists and engineers, as in docker's generator.
 */
import { randomInt } from 'node:crypto';

/** What docker accepts as a container name (a leading `/` is allowed and dropped). */
export const NAME_PATTERN = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const ADJECTIVES = [
  'admiring', 'bold', 'brave', 'busy', 'calm', 'clever', 'cool', 'dazzling', 'eager', 'elated',
  'epic', 'fervent', 'focused', 'friendly', 'gallant', 'gentle', 'happy', 'hopeful', 'jolly', 'keen',
  'kind', 'lucid', 'modest', 'nifty', 'optimistic', 'peaceful', 'quirky', 'relaxed', 'serene', 'sharp',
  'stoic', 'sweet', 'tender', 'upbeat', 'vibrant', 'wizardly', 'youthful', 'zealous',
] as const;

const SURNAMES = [
  'agnesi', 'babbage', 'bohr', 'curie', 'darwin', 'dijkstra', 'einstein', 'euler', 'faraday', 'fermi',
  'galois', 'gauss', 'hamilton', 'hopper', 'hypatia', 'johnson', 'kepler', 'knuth', 'lamarr', 'lovelace',
  'maxwell', 'meitner', 'noether', 'pascal', 'ritchie', 'shannon', 'thompson', 'turing', 'wozniak', 'yalow',
] as const;

/** Whether `name` (with or without its leading `/`) is a valid container name. */
export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/**
 * A random `adjective_surname` name, e.g. `gentle_noether`. With `attempt` > 0
 * (the previous ones were taken) a number is appended: `gentle_noether3`.
 */
export function generateName(attempt = 0): string {
  const adjective = ADJECTIVES[randomInt(ADJECTIVES.length)] ?? 'busy';
  const surname = SURNAMES[randomInt(SURNAMES.length)] ?? 'turing';
  return attempt > 0 ? `${adjective}_${surname}${randomInt(10)}` : `${adjective}_${surname}`;
}
