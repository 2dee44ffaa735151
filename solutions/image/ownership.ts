/**
 * Who owns an unpacked file. As root, the unpacker gives each entry the uid and
 * gid its tar header names, mapped through the container's user-namespace id
 * map when there is one. Rootless, it cannot give files away: they stay the
 * unpacking user's, and that user is root inside the container's user
 * namespace, so the container still sees them as root's.
 */

/** One range of a user-namespace id map, named as in the OCI runtime spec's `LinuxIDMapping`. */
export interface IdMapping {
  /** First id inside the container (in the layer). */
  containerID: number;
  /** The host id `containerID` becomes. */
  hostID: number;
  /** How many consecutive ids the range covers. */
  size: number;
}

/** How a layer's uids and gids become host ids (the maps of the container's user namespace). */
export interface IdMap {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}

/** Who unpacks, and how ids are mapped. */
export interface OwnershipOptions {
  /**
   * Maps the layer's uid/gid to host ids. Undefined: ids are kept as they are.
   * As root, an id the map does not cover is an error.
   */
  idMap?: IdMap;
  /**
   * Unpack as an unprivileged user would, even when running as root: no chown except
   * to the current user, and no device nodes. Default: true unless running as root.
   */
  rootless?: boolean;
}

/** Whether unpacking happens without privileges: `options.rootless`, else "not running as root". */
export function isRootless(options: OwnershipOptions): boolean {
  return options.rootless ?? process.getuid?.() !== 0;
}

/** The host id for `id`, or undefined when no range covers it. */
export function mapId(mappings: readonly IdMapping[], id: number): number | undefined {
  const range = mappings.find((m) => id >= m.containerID && id < m.containerID + m.size);
  return range === undefined ? undefined : range.hostID + (id - range.containerID);
}

/**
 * The host owner to chown an entry to, or undefined when the chown is skipped: rootless,
 * only an entry that maps to the current user's own uid and gid is chowned.
 * @param entry the entry's name, for the error message
 * @throws Error as root, when `idMap` does not cover the uid or gid
 */
export function hostOwner(uid: number, gid: number, options: OwnershipOptions, entry: string): { uid: number; gid: number } | undefined {
  const { idMap } = options;
  const hostUid = idMap === undefined ? uid : mapId(idMap.uidMappings, uid);
  const hostGid = idMap === undefined ? gid : mapId(idMap.gidMappings, gid);
  if (!isRootless(options)) {
    if (hostUid === undefined || hostGid === undefined) {
      throw new Error(`layer entry "${entry}": uid ${uid} or gid ${gid} is not covered by the id map`);
    }
    return { uid: hostUid, gid: hostGid };
  }
  // Without privileges a file can only be given to oneself.
  const self = hostUid !== undefined && hostUid === process.getuid?.() && hostGid !== undefined && hostGid === process.getgid?.();
  return self ? { uid: hostUid, gid: hostGid } : undefined;
}
