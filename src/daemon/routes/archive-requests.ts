/**
 * Provided: the declared query of the archive endpoints (`docker cp`),
 * checked by `validated` (server/validate.ts) before a handler runs.
 *
 * ```
 * HEAD|GET /containers/{id}/archive?path=/etc/hostname
 * PUT      /containers/{id}/archive?path=/tmp&noOverwriteDirNonDir=1&copyUIDGID=1     body: a tar (plain or gzip)
 * no path  ─▶ 400 bad parameter: pathcannot be empty      (docker's words, its missing space included)
 * ```
 */
import * as v from 'valibot';
import { qBool, qText } from '../server/validate.js';

/** docker's refusal of an archive request without `path` (httputils.ArchiveFormValues). */
export const NO_ARCHIVE_PATH = 'bad parameter: pathcannot be empty';

/** `path`: required, taken as it is (a trailing `/` or `/.` means something). */
const archivePath = v.pipe(qText, v.check((value: string) => value !== '', `say:${NO_ARCHIVE_PATH}`));

/** `HEAD` and `GET /containers/{id}/archive?path=`. */
export const archiveQuery = v.looseObject({ path: archivePath });

/** The typed HEAD and GET query. */
export type ArchiveQuery = v.InferOutput<typeof archiveQuery>;

/** `PUT /containers/{id}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=`: the flags are docker's booleans. */
export const putArchiveQuery = v.looseObject({ path: archivePath, noOverwriteDirNonDir: qBool, copyUIDGID: qBool });

/** The typed PUT query. */
export type PutArchiveQuery = v.InferOutput<typeof putArchiveQuery>;
