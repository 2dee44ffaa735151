/**
 * Lesson 04 — image store: content. Digests are checked against known
 * sha256 values; the blob store runs on memfs for the unit checks (with every
 * file call recorded) and on a real temp dir for streaming, failure,
 * concurrency and path-escape checks.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { NotImplementedError } from '#kata/errors.js';
import { FsBlobStore } from '#kata/image/blob-store.js';
import { DigestTransform, InvalidDigestError, digestHex, digestOf, digestOfStream, isDigest, parseDigest } from '#kata/image/digest.js';
import type { Digest } from '#kata/image/digest.js';
import { BlobNotFoundError, DigestMismatchError, SizeMismatchError } from '#kata/image/errors.js';
import { OCI_CONFIG } from '#kata/image/media-types.js';
import { describeError, rejectionOf } from '../support/outcomes.js';
import { readAll, sha256 } from '../support/bytes.js';
import {
  DIGEST,
  STORE,
  EMPTY_HEX,
  HELLO_HEX,
  HELLO,
  MB,
  tempDir,
  known,
  hexOf,
  thrownBy,
  from,
  pieces,
  memStore,
  memFiles,
  entries,
  expectNothingStored,
  scope,
} from './04-content-store/helpers.js';

afterEach(() => scope.cleanup());

describe('lesson 04 — image store: content', () => {
  it('parseDigest accepts sha256:<64 hex> and names the rule a bad digest breaks', () => {
    expect(parseDigest(HELLO), `a valid digest comes back unchanged (${DIGEST}: parseDigest)`).toBe(HELLO);
    expect(digestHex(HELLO), `digestHex is the part after "sha256:" (${DIGEST}: digestHex)`).toBe(HELLO_HEX);

    const bad: Array<[value: string, rule: RegExp, why: string]> = [
      [HELLO_HEX, /algorithm|prefix/i, 'no "sha256:" in front: the reason names the missing algorithm prefix'],
      [`md5:${'0'.repeat(32)}`, /algorithm/i, 'md5 is not sha256: the reason says the algorithm is unsupported'],
      [`SHA256:${HELLO_HEX}`, /algorithm/i, 'the algorithm is "sha256", lowercase: "SHA256" is another (unsupported) algorithm'],
      [`sha256:${HELLO_HEX.slice(1)}`, /64/, '63 hex characters: the reason names the length, 64'],
      [`sha256:${HELLO_HEX}0`, /64/, '65 hex characters: the reason names the length, 64'],
      [`sha256:${HELLO_HEX}\n`, /64/, 'a trailing newline makes 65 characters'],
      [`sha256:${HELLO_HEX.toUpperCase()}`, /lowercase/i, 'uppercase hex is refused, not lowercased: the reason says "lowercase"'],
      [`sha256:${'g'.repeat(64)}`, /hex/i, '"g" is not a hex digit: the reason says the encoded part must be hex'],
      ['', /./, 'the empty string'],
    ];
    for (const [value, rule, why] of bad) {
      const err = thrownBy(() => parseDigest(value));
      expect(
        err instanceof InvalidDigestError,
        `parseDigest(${JSON.stringify(value)}) must throw an InvalidDigestError: ${why}; got ${describeError(err)} (${DIGEST}: parseDigest)`,
      ).toBe(true);
      const reason = (err as Error).message.slice(`invalid digest "${value}": `.length);
      expect(reason, `parseDigest(${JSON.stringify(value)}): ${why} (${DIGEST}: parseDigest)`).toMatch(rule);
      expect(isDigest(value), `isDigest(${JSON.stringify(value)}) is false, without throwing (${DIGEST}: isDigest)`).toBe(false);
    }
    expect(isDigest(HELLO), `isDigest accepts what parseDigest accepts (${DIGEST}: isDigest)`).toBe(true);
    expect(isDigest(42), `isDigest(42) is false: not a string (${DIGEST}: isDigest)`).toBe(false);
  });

  it('digestOf and digestOfStream agree with sha256sum', async () => {
    expect(digestOf(''), `the empty string hashes to sha256:${EMPTY_HEX.slice(0, 12)}… (${DIGEST}: digestOf)`).toBe(`sha256:${EMPTY_HEX}`);
    expect(digestOf('hello'), `"hello" hashes to sha256:${HELLO_HEX.slice(0, 12)}… (${DIGEST}: digestOf)`).toBe(HELLO);
    expect(digestOf(Buffer.from('hello')), `bytes and the same string have one digest (${DIGEST}: digestOf)`).toBe(HELLO);
    const text = 'héllo wörld ✓';
    expect(digestOf(text), `a string is hashed as its UTF-8 bytes (${DIGEST}: digestOf)`).toBe(sha256(Buffer.from(text, 'utf8')));
    const binary = randomBytes(300_000);
    expect(digestOf(new Uint8Array(binary)), `any bytes, not only text (${DIGEST}: digestOf)`).toBe(sha256(binary));

    expect(await digestOfStream(from()), `an empty stream is the empty digest, 0 bytes (${DIGEST}: digestOfStream)`).toEqual({
      digest: `sha256:${EMPTY_HEX}`,
      size: 0,
    });
    expect(
      await digestOfStream(from('hel', Buffer.from('lo'))),
      `"hel" + "lo" hashes like "hello": every chunk goes into ONE hash, in order (${DIGEST}: digestOfStream)`,
    ).toEqual({ digest: HELLO, size: 5 });
    expect(
      await digestOfStream(from('hé', 'llo')),
      `size counts bytes, not characters: "héllo" is 6 bytes in UTF-8 (${DIGEST}: digestOfStream)`,
    ).toEqual({ digest: sha256('héllo'), size: 6 });
    expect(
      await digestOfStream(pieces(binary, 4099)),
      `300 000 random bytes in 4099-byte chunks: the digest and size of the whole (${DIGEST}: digestOfStream)`,
    ).toEqual({ digest: sha256(binary), size: binary.length });
  });

  it('DigestTransform passes bytes through unchanged and reports their digest', async () => {
    const data = randomBytes(200_000);
    const transform = new DigestTransform();
    const out: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(Buffer.from(chunk));
        callback();
      },
    });
    await pipeline(Readable.from(pieces(data, 7001)), transform, sink);
    expect(
      Buffer.concat(out).equals(data),
      `the bytes that come out are exactly the bytes that went in (${DIGEST}: DigestTransform._transform: callback(null, chunk))`,
    ).toBe(true);
    expect(transform.digest, `digest is the sha256 of everything that passed through (${DIGEST}: DigestTransform)`).toBe(sha256(data));
    expect(transform.digest, `digest can be read more than once: keep it when the stream ends (${DIGEST}: DigestTransform._flush)`).toBe(
      sha256(data),
    );
    expect(transform.size, `size is the number of bytes that passed through (${DIGEST}: DigestTransform.size)`).toBe(data.length);

    const text = new DigestTransform();
    await pipeline(Readable.from(['hé', 'llo']), text, new Writable({ write: (_c, _e, cb) => cb() }));
    expect({ digest: text.digest, size: text.size }, `strings pass through as their UTF-8 bytes (${DIGEST}: DigestTransform)`).toEqual({
      digest: sha256('héllo'),
      size: 6,
    });

    const early = new DigestTransform();
    early.write('hel');
    const tooSoon = thrownBy(() => early.digest);
    early.destroy();
    expect(
      tooSoon instanceof Error && !(tooSoon instanceof NotImplementedError) && !String(tooSoon).includes('returned without'),
      `reading digest before the stream has ended throws an Error, the hash is not finished; got ${describeError(tooSoon)} (${DIGEST}: DigestTransform.digest)`,
    ).toBe(true);
  });

  it('put stores a blob under blobs/sha256/<hex> and get streams it back', async () => {
    const { vol, store } = memStore();
    const data = randomBytes(200_000);
    const hex = sha256(data).slice('sha256:'.length);

    const descriptor = await store.put(pieces(data, 7000));
    expect(
      descriptor,
      `put returns { mediaType: 'application/octet-stream', digest, size } of the bytes it read (${STORE}: FsBlobStore.put)`,
    ).toEqual({ mediaType: 'application/octet-stream', digest: sha256(data), size: data.length });
    expect(store.blobPath(descriptor.digest), `blobPath is <root>/blobs/sha256/<hex> (${STORE}: FsBlobStore.blobPath)`).toBe(
      `/store/blobs/sha256/${hex}`,
    );
    expect(memFiles(vol, '/store'), `after put, the blob is the only file: <root>/blobs/sha256/<hex>, and ingest/ is empty (${STORE}: FsBlobStore.put)`).toEqual([
      `/store/blobs/sha256/${hex}`,
    ]);
    expect(
      (vol.readFileSync(`/store/blobs/sha256/${hex}`) as Buffer).equals(data),
      `the stored file holds exactly the bytes put read (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
    expect(
      vol.statSync(`/store/blobs/sha256/${hex}`).mode & 0o777,
      `a blob file is created with mode 0644: createWriteStream(path, { flags: 'wx', mode: 0o644 }) (${STORE}: FsBlobStore.put)`,
    ).toBe(0o644);

    const back = await readAll(await store.get(descriptor.digest));
    expect(back.equals(data), `get streams the blob's bytes back (${STORE}: FsBlobStore.get)`).toBe(true);

    const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
    const typed = await store.put(from(config.subarray(0, 10), config.subarray(10).toString()), {
      digest: known(config),
      size: config.length,
      mediaType: OCI_CONFIG,
    });
    expect(typed, `with an expectation that holds, put returns it, mediaType included (${STORE}: FsBlobStore.put)`).toEqual({
      mediaType: OCI_CONFIG,
      digest: known(config),
      size: config.length,
    });
  });

  it('stat returns a Descriptor; a missing blob is BlobNotFoundError', async () => {
    const { store } = memStore();
    await store.put(from('hello'), { mediaType: OCI_CONFIG });
    expect(
      await store.stat(HELLO),
      `stat describes a stored blob; the store keeps no media types, so it is application/octet-stream (${STORE}: FsBlobStore.stat)`,
    ).toEqual({ mediaType: 'application/octet-stream', digest: HELLO, size: 5 });

    const missing = known('never stored');
    for (const [call, promise] of [
      ['stat', store.stat(missing)],
      ['get', store.get(missing)],
    ] as const) {
      const err = await rejectionOf(promise);
      expect(
        err instanceof BlobNotFoundError,
        `${call}() of a blob that is not stored rejects with BlobNotFoundError, not a raw ENOENT or a stream that fails later; got ${describeError(err)} (${STORE}: FsBlobStore.${call})`,
      ).toBe(true);
      expect((err as BlobNotFoundError).digest, `the BlobNotFoundError names the digest (${STORE}: FsBlobStore.${call})`).toBe(missing);
    }
  });

  it('a digest mismatch throws DigestMismatchError and stores nothing (no blob, no ingest leftovers)', async () => {
    const { vol, store, calls } = memStore();
    const announced = known('goodbye');
    const err = await rejectionOf(store.put(from('hel', 'lo'), { digest: announced }));
    expect(
      err instanceof DigestMismatchError,
      `"hello" announced as the digest of "goodbye" must reject with DigestMismatchError; got ${describeError(err)} (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
    expect(
      { expected: (err as DigestMismatchError).expected, actual: (err as DigestMismatchError).actual },
      `the error carries the announced digest and the digest of the bytes actually read (${STORE}: FsBlobStore.put)`,
    ).toEqual({ expected: announced, actual: HELLO });
    expectNothingStored(vol, calls, 'after a digest mismatch');
    expect(await store.list(), `list() shows no blob after a failed put (${STORE}: FsBlobStore.list)`).toEqual([]);

    const big = randomBytes(500_000);
    const wrong = await rejectionOf(store.put(pieces(big, 65_536), { digest: known(big.subarray(1)), size: big.length }));
    expect(
      wrong instanceof DigestMismatchError,
      `a 500 kB blob with the right size and a wrong digest rejects with DigestMismatchError; got ${describeError(wrong)} (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
    expectNothingStored(vol, calls, 'after a digest mismatch on a 500 kB blob');
  });

  it('a size mismatch throws SizeMismatchError and stores nothing', async () => {
    const { vol, store, calls } = memStore();
    const short = await rejectionOf(store.put(from('hello'), { digest: HELLO, size: 6 }));
    expect(
      short instanceof SizeMismatchError,
      `5 bytes announced as 6 must reject with SizeMismatchError; got ${describeError(short)} (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
    expect(
      { expected: (short as SizeMismatchError).expected, actual: (short as SizeMismatchError).actual },
      `the error carries the announced and the actual size (${STORE}: FsBlobStore.put)`,
    ).toEqual({ expected: 6, actual: 5 });
    expectNothingStored(vol, calls, 'after 5 bytes announced as 6');

    const long = await rejectionOf(store.put(from('hello'), { size: 4 }));
    expect(
      long instanceof SizeMismatchError && long.expected === 4,
      `5 bytes announced as 4 must reject with SizeMismatchError (expected 4); got ${describeError(long)} (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
    expectNothingStored(vol, calls, 'after 5 bytes announced as 4');

    const total = 1000;
    let pulled = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (; pulled < total; ) {
        pulled += 1;
        yield Buffer.alloc(1024, 1);
      }
    }
    const tooMuch = await rejectionOf(store.put(endless(), { size: 10 }));
    expect(
      tooMuch instanceof SizeMismatchError,
      `a source far longer than its announced 10 bytes rejects with SizeMismatchError; got ${describeError(tooMuch)} (${STORE}: FsBlobStore.put, limitSize)`,
    ).toBe(true);
    expect(
      pulled,
      `put read all ${pulled} kB of a blob announced as 10 bytes: stop as soon as the count passes expected.size (${STORE}: limitSize)`,
    ).toBeLessThan(total);
    expectNothingStored(vol, calls, 'after an oversized source');
  });

  it('delete removes a blob; list shows only committed blobs', async () => {
    const { vol, store } = memStore();
    expect(await store.list(), `a store nothing was written to lists no blobs (and does not throw ENOENT) (${STORE}: FsBlobStore.list)`).toEqual([]);

    const a = await store.put(from('a'));
    const b = await store.put(from('b'));
    const c = await store.put(from('c'));
    // What else can be lying around: a write in progress, and files that are not blobs.
    vol.writeFileSync('/store/ingest/3f2a9c0d1e', 'half a blo');
    vol.writeFileSync('/store/blobs/sha256/README', 'not a blob');
    vol.writeFileSync(`/store/blobs/sha256/${HELLO_HEX.toUpperCase()}`, 'hello');
    vol.writeFileSync(`/store/blobs/sha256/${HELLO_HEX}.partial`, 'hel');
    const all = [a.digest, b.digest, c.digest].sort();
    expect(
      [...(await store.list())].sort(),
      `list() returns the digests of committed blobs only: not ingest/, not names that are not 64 lowercase hex (${STORE}: FsBlobStore.list)`,
    ).toEqual(all);

    await store.delete(b.digest);
    expect([...(await store.list())].sort(), `after delete, the blob is no longer listed (${STORE}: FsBlobStore.delete)`).toEqual(
      [a.digest, c.digest].sort(),
    );
    expect(vol.existsSync(store.blobPath(b.digest)), `delete removes the blob's file (${STORE}: FsBlobStore.delete)`).toBe(false);
    const gone = await rejectionOf(store.stat(b.digest));
    expect(gone instanceof BlobNotFoundError, `stat() of a deleted blob is BlobNotFoundError (${STORE}: FsBlobStore.stat)`).toBe(true);
    const again = await rejectionOf(store.delete(b.digest));
    expect(
      again instanceof BlobNotFoundError,
      `deleting a blob that is not there rejects with BlobNotFoundError; got ${describeError(again)} (${STORE}: FsBlobStore.delete)`,
    ).toBe(true);
    expect((await readAll(await store.get(a.digest))).toString(), `the other blobs are untouched (${STORE}: FsBlobStore.delete)`).toBe('a');
  });

  it('put streams: a 64 MB blob from a generator is stored without buffering it', async () => {
    const root = path.join(await tempDir(), 'store');
    const store = new FsBlobStore(root);
    const ingest = path.join(root, 'ingest');
    const count = 64;
    const chunk = (i: number) => Buffer.alloc(MB, i);
    const hash = createHash('sha256');
    for (let i = 0; i < count; i++) hash.update(chunk(i));
    const digest = `sha256:${hash.digest('hex')}` as Digest;

    let produced = 0;
    let mostAhead = 0; // bytes handed to put that had not reached the ingest file yet
    const onDisk = () => entries(ingest).reduce((sum, name) => sum + (fs.statSync(path.join(ingest, name), { throwIfNoEntry: false })?.size ?? 0), 0);
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < count; i++) {
        mostAhead = Math.max(mostAhead, produced - onDisk());
        produced += MB;
        yield chunk(i);
      }
    }

    const descriptor = await store.put(source(), { digest, size: count * MB });
    expect(descriptor, `put returns the descriptor of the 64 MB blob (${STORE}: FsBlobStore.put)`).toEqual({
      mediaType: 'application/octet-stream',
      digest,
      size: count * MB,
    });
    expect(
      mostAhead,
      `put was ${Math.round(mostAhead / MB)} MB ahead of what it had written to <root>/ingest/: write each chunk to the ingest file as it arrives, ` +
        `waiting for the write stream (pipeline does), instead of collecting chunks first (${STORE}: FsBlobStore.put)`,
    ).toBeLessThanOrEqual(16 * MB);
    expect(fs.statSync(path.join(root, 'blobs', 'sha256', hexOf(digest))).size, `the blob file holds all 64 MB (${STORE}: FsBlobStore.put)`).toBe(
      count * MB,
    );
    expect(entries(ingest), `nothing is left in ingest/ after a put (${STORE}: FsBlobStore.put)`).toEqual([]);
  });

  it('a writer that fails halfway leaves no visible blob', async () => {
    const root = path.join(await tempDir(), 'store');
    const store = new FsBlobStore(root);
    const full = Buffer.alloc(16 * MB, 7);
    async function* cutOff(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 8; i++) yield full.subarray(i * MB, (i + 1) * MB);
      throw new Error('connection reset by peer');
    }

    for (const expectation of [{ digest: known(full), size: full.length }, {}]) {
      const err = await rejectionOf(store.put(cutOff(), expectation));
      expect(
        describeError(err),
        `a source that fails after 8 MB makes put reject with the source's own error (${STORE}: FsBlobStore.put)`,
      ).toContain('connection reset by peer');
      expect(entries(path.join(root, 'blobs', 'sha256')), `no blob is visible after the source failed (${STORE}: FsBlobStore.put)`).toEqual([]);
      expect(
        entries(path.join(root, 'ingest')),
        `the half-written ingest file is removed when the source fails (${STORE}: FsBlobStore.put, the catch: unlink, then rethrow)`,
      ).toEqual([]);
      expect(await store.list(), `list() shows no blob after the failed put (${STORE}: FsBlobStore.list)`).toEqual([]);
    }
    const retry = await store.put(pieces(full, MB), { digest: known(full), size: full.length });
    expect(retry.digest, `a retry after the failure stores the blob (${STORE}: FsBlobStore.put)`).toBe(known(full));
  });

  it('20 concurrent puts of the same blob end with one blob and no error', async () => {
    const root = path.join(await tempDir(), 'store');
    const store = new FsBlobStore(root);
    const data = randomBytes(2 * MB);
    const digest = known(data);

    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => store.put(pieces(data, 64 * 1024, true), { digest, size: data.length })),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(
      failed.map((r) => describeError(r.reason)),
      `every put succeeds: each writes its own ingest/<random> file and renames it over the identical blob (${STORE}: FsBlobStore.put)`,
    ).toEqual([]);
    for (const r of results) {
      if (r.status === 'fulfilled') {
        expect(r.value, `each put returns the blob's descriptor (${STORE}: FsBlobStore.put)`).toEqual({
          mediaType: 'application/octet-stream',
          digest,
          size: data.length,
        });
      }
    }
    expect(entries(path.join(root, 'blobs', 'sha256')), `one blob in blobs/sha256/ (${STORE}: FsBlobStore.put)`).toEqual([hexOf(digest)]);
    expect(entries(path.join(root, 'ingest')), `no ingest file is left behind (${STORE}: FsBlobStore.put)`).toEqual([]);
    expect(
      fs.readFileSync(path.join(root, 'blobs', 'sha256', hexOf(digest))).equals(data),
      `the blob holds the bytes, not an interleaving of several writers (${STORE}: FsBlobStore.put)`,
    ).toBe(true);
  });

  it('a digest like sha256:../../etc cannot become a path outside the store', async () => {
    const dir = await tempDir();
    const root = path.join(dir, 'store');
    const victim = path.join(dir, 'victim');
    fs.writeFileSync(victim, 'precious');
    const store = new FsBlobStore(root);
    await store.put(from('hello'));

    // blobs/sha256/<encoded> with these climbs to <dir>/victim or elsewhere; the second is exactly 64 characters.
    const climbing = `${'./'.repeat(24)}../../..//victim`;
    expect(climbing.length).toBe(64);
    const evil = ['sha256:../../etc', 'sha256:../../../victim', `sha256:${climbing}`, 'sha256:/etc/passwd'] as Digest[];
    for (const digest of evil) {
      const calls: Array<[string, () => Promise<unknown>]> = [
        ['blobPath', async () => store.blobPath(digest)],
        ['stat', () => store.stat(digest)],
        ['get', () => store.get(digest)],
        ['delete', () => store.delete(digest)],
        ['put', () => store.put(from('evil'), { digest })],
      ];
      for (const [name, call] of calls) {
        const err = await rejectionOf(call());
        expect(
          err instanceof InvalidDigestError,
          `${name}("${digest}") must throw InvalidDigestError: parseDigest() the digest before it becomes a path; got ${describeError(err)} (${STORE}: FsBlobStore.blobPath)`,
        ).toBe(true);
      }
    }
    expect(fs.readFileSync(victim, 'utf8'), `a file outside the store is never touched (${STORE}: FsBlobStore.blobPath)`).toBe('precious');
    expect(entries(dir), `nothing is created outside the store's root (${STORE}: FsBlobStore.put)`).toEqual(['store', 'victim']);
    expect(await store.list(), `the store still holds only its own blob (${STORE}: FsBlobStore.list)`).toEqual([HELLO]);
  });
});
