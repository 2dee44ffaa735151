/**
 * Provided: docker's `?filters=` query as the networks and volumes APIs read
 * it (lessons 14 and 15), and its label rule. Lesson 12's containers list
 * has its own copy, which the learner writes (container-views.ts).
 */
import { InvalidParameterError } from '../../errdefs.js';

/**
 * Parses `?filters=`: docker's JSON, `{"label":["a=b"]}` or the older
 * `{"label":{"a=b":true}}`, each key one of `allowed`.
 * @throws InvalidParameterError `invalid filter '<key>'` for a key not allowed, or text that is not such JSON.
 */
export function parseFilterQuery(text: string | undefined, allowed: readonly string[]): Record<string, string[]> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidParameterError(`invalid filter '${text}'`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidParameterError(`invalid filter '${text}'`);
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowed.includes(key)) throw new InvalidParameterError(`invalid filter '${key}'`);
    if (Array.isArray(value)) filters[key] = value.map(String);
    else if (typeof value === 'object' && value !== null) filters[key] = Object.keys(value);
    else throw new InvalidParameterError(`invalid filter '${key}'`);
  }
  return filters;
}

/** Whether `labels` has the filter's label: `key` present, or `key=value` equal. */
export function hasLabel(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  const key = eq < 0 ? filter : filter.slice(0, eq);
  return key in labels && (eq < 0 || labels[key] === filter.slice(eq + 1));
}
