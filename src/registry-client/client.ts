/**
 * Provided: the object lesson 09's daemon holds around lesson 08's pull and push.
 *
 * The registry client the daemon uses: one object per registry and set of
 * credentials, with pull and push.
 *
 * ```ts
 * const registry = new RegistryClient({ registry: '127.0.0.1:5000', auth: decodeRegistryAuth(header) });
 * const pulled = await registry.pull('library/busybox', 'latest', blobs, { onProgress });
 * const pushed = await registry.push('library/busybox', 'v1', blobs, pulled.descriptor);
 * ```
 * Reusing one client reuses its tokens: a pull, then a push, asks the token
 * server once per scope.
 */
import type { BlobReader, BlobWriter } from '../image/blob-store.js';
import type { Descriptor } from '../image/types.js';
import { RegistryHttp } from './http.js';
import type { RegistryHttpOptions } from './http.js';
import { pull } from './pull.js';
import type { PullOptions, PullResult } from './pull.js';
import { push } from './push.js';
import type { PushOptions } from './push.js';

/** A registry's `host[:port]`, credentials, and retry policy; see {@link RegistryHttpOptions}. */
export type RegistryClientOptions = RegistryHttpOptions;

/** Pulls from and pushes to one registry. */
export class RegistryClient {
  /** The transport (base URL, auth cache, retries) every request goes through. */
  readonly http: RegistryHttp;

  constructor(options: RegistryClientOptions) {
    this.http = new RegistryHttp(options);
  }

  /**
   * Pulls `repository` (the path inside the registry: `library/busybox`) at
   * `reference` (a tag or a digest) into `store`. See {@link pull}.
   */
  pull(repository: string, reference: string, store: BlobReader & BlobWriter, options?: PullOptions): Promise<PullResult> {
    return pull(this.http, repository, reference, store, options);
  }

  /**
   * Pushes the image `manifest` (a manifest in `store`) as `repository:tag`.
   * @returns the pushed manifest's descriptor. See {@link push}.
   */
  push(repository: string, tag: string, store: BlobReader, manifest: Descriptor, options?: PushOptions): Promise<Descriptor> {
    return push(this.http, repository, tag, store, manifest, options);
  }
}
