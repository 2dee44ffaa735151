/**
 * Size limits that more than one part of the mini Docker enforces, kept in one
 * place so they cannot drift apart. Provided: nothing here is lesson work.
 */

/**
 * The largest manifest or index accepted or read, in bytes: the registry
 * refuses a bigger PUT (lesson 07) and the registry client reads no more
 * (lesson 08). The distribution spec asks registries to take at least 4 MiB,
 * and docker reads no more than that either.
 */
export const MAX_MANIFEST_SIZE = 4 * 1024 * 1024;
