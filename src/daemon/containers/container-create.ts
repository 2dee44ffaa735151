/**
 * `POST /containers/create`, the part before any process runs: check the
 * request, find the image, unpack it once, give the container its own rootfs
 * and write the OCI bundle runc will run.
 *
 * ```
 * request ─▶ name, network mode and HostConfig checks (create-options.ts) ─▶ ImageSource.resolve (404: the CLI pulls)
 *         ─▶ <data root>/rootfs/<image id>/ (unpacked once, shared)
 *         ─▶ <container dir>/bundle/rootfs (an overlay's mount point, or a copy) ─▶ bundle/config.json ─▶ record
 * ```
 * Nothing is mounted here: an overlay rootfs is mounted by the shim, for the
 * time the container runs (container-service.ts start).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError, NotFoundError } from '../../errdefs.js';
import { NotImplementedError } from '../../errors.js';
import { unpackImage } from '../../image/unpack-image.js';
import { familiarString, parseReference } from '../../image/reference.js';
import { buildSpec, hostNofileLimit, writeBundle } from '../../runtime/bundle.js';
import { mergeEnv, resolveArgs } from '../../runtime/process-config.js';
import { defaultRootfsMode, prepareRootfs, removeRootfs } from '../../runtime/rootfs.js';
import { resolveGroups, resolveUser } from '../../runtime/user.js';
import { generateName, isValidName } from './container-names.js';
import { containerConfigOf, hostConfigOf, specOptionsOf } from './create-options.js';
import type { DaemonFacts } from './create-options.js';
import { ZERO_TIME, consoleSizeOf, newContainerId, rfc3339Nano } from './container-store.js';
import type { ContainerRecord, ContainerStore } from './container-store.js';
import type { ImageSource, VolumeSource } from '../backends.js';
import type { ResolvedImage } from '../images/image-records.js';
import type { ContainerCreateBody } from '../routes/container-requests.js';
import type { NetworkLookup } from '../network/network-attachment.js';

/** What creating a container needs from the daemon. */
export interface CreateContext {
  dataRoot: string;
  images: ImageSource;
  store: ContainerStore;
  /** Root or not, the runtime's name, the init binary. */
  facts: DaemonFacts;
  /** The networks: the one a create names must exist (lesson 14). */
  networks: NetworkLookup;
  /** The volumes: a create's named and anonymous volumes are made (lesson 15). */
  volumes: Pick<VolumeSource, 'attach'>;
}

const unpacking = new Map<string, Promise<string>>();

/** Where an image's tree is unpacked, `<data root>/rootfs/<id hex>`, whether or not it is there yet. */
export function imageRootfsPath(dataRoot: string, imageId: string): string {
  return path.join(dataRoot, 'rootfs', imageId.replace(/^sha256:/, ''));
}

/**
 * The image's tree, unpacked once into `<data root>/rootfs/<id hex>` and shared
 * by every container of the image. Concurrent creates wait for the same unpack.
 * @returns the directory.
 */
export async function imageRootfs(dataRoot: string, images: ImageSource, image: ResolvedImage): Promise<string> {
  // TODO(lesson-12): Unpack the image once into imageRootfsPath(dataRoot, image.id) and return the directory.
  // HINT: unpackImage(dir, layers): one {open: () => images.blobs.get(layer.digest), diffID} per manifest layer.
  // HINT: keep the pending promise in `unpacking`, so concurrent creates share one unpack.
  throw new NotImplementedError('lesson-12: imageRootfs');
}

/**
 * Creates a container: validates, resolves, unpacks, builds its rootfs and
 * bundle, and stores its record in state `created`.
 * @param name the `?name=` query (else the body's `name`, else a generated one).
 * @returns the record and docker's Warnings.
 * @throws InvalidParameterError for a bad name, network mode, ConsoleSize or command;
 *   ConflictError for a name in use; NotFoundError `No such image: busybox:latest`.
 */
export async function createContainer(ctx: CreateContext, body: ContainerCreateBody, name: string | undefined): Promise<{ record: ContainerRecord; warnings: string[] }> {
  // TODO(lesson-12): Check the request, resolve the image, unpack it, make the rootfs and bundle, and store the record as created.
  // HINT: name: ?name=, else body.name, else uniqueName(store); check it with isValidName and store.checkName up front.
  // HINT: hostConfigOf(body.HostConfig, ctx.facts) checks every HostConfig option up front and gives the record's HostConfig
  // HINT: and the Warnings; a NotFoundError from images.resolve becomes `No such image: ${asFamiliarString(body.Image)}`.
  // HINT: args: resolveArgs; Config: containerConfigOf(body, image config, {hostname = body.Hostname || first 12 hex of the id, workingDir});
  // HINT: user: resolveUser(lower, Config.User) plus resolveGroups(lower, GroupAdd) as additionalGids; env: mergeEnv(…, Config.Tty).
  // HINT: network = attachmentOf(body, ctx.networks) (network-attachment.ts): its mode is the bundle's networkMode, its
  // HINT: networks the record's NetworkSettings.Networks (the network the container is on).
  // HINT: lesson 15: mounts = mountPointsOf(body.HostConfig, Config.Volumes) and checkBindSources(mounts) before anything is made;
  // HINT: after the mkdir, MountPoints = await ctx.volumes.attach(mounts) (kept in the record when there are any).
  // HINT: buildSpec({...specOptionsOf(hostConfig, facts), rootfs, args, env, cwd, user, hostname, terminal, consoleSize, networkMode, …}):
  // HINT: consoleSize from consoleSizeOf(hostConfig.ConsoleSize); rootless: SpecOptions.rootless, else cgroupsPath /minidocker/<id>.
  // HINT: prepareRootfs(lower, dir, defaultRootfsMode()) (an overlay is mounted later, at start), writeBundle(<dir>/bundle, spec).
  // HINT: on any failure after mkdir: removeRootfs(dir) and remove dir, then rethrow.
  throw new NotImplementedError('lesson-12: createContainer');
}

function uniqueName(store: ContainerStore): string {
  for (let attempt = 0; ; attempt++) {
    const name = generateName(attempt);
    try {
      store.checkName(name);
      return name;
    } catch {
      // taken: try another
    }
  }
}

// `busybox` → `busybox:latest`, as docker words the 404 (the CLI pulls on any 404).
function asFamiliarString(image: string): string {
  try {
    return familiarString(parseReference(image));
  } catch {
    return image;
  }
}
