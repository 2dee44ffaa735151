/**
 * The offline base images, `busybox` and `hello-world`, built from this
 * machine's static busybox as OCI image layouts (`npm run images`, and the
 * fixtures of every lesson that needs an image).
 *
 * ```
 * <outDir>/
 * ├── busybox/            an OCI image layout; index.json tags the image `latest`
 * │   ├── oci-layout
 * │   ├── index.json
 * │   └── blobs/sha256/…  manifest, config, one tar+gzip layer
 * └── hello-world/        the same shape
 * ```
 * busybox: `/bin/busybox`, a symlink `/bin/<applet>` → `busybox` for every
 * applet it lists, `/etc/passwd` and `/etc/group` (root, nobody), `/tmp`
 * (1777), `/root`, `/home`, `/var` and the `/dev`, `/proc`, `/sys` mount
 * points; `Cmd ["sh"]`. hello-world: the same without the applet links, plus
 * `/hello`, a `#!/bin/busybox sh` script printing the greeting; `Cmd ["/hello"]`.
 *
 * Built with the REFERENCE implementation (solutions/), never the learner's:
 * fixtures must be right whatever lesson the learner has reached.
 *
 * Deterministic: the same busybox binary gives the same manifest digests,
 * because the layer has sorted entries with a fixed mtime, gzip writes no name
 * and no time into its header, and the config's `created` is fixed. (The gzip
 * bytes come from the zlib bundled with Node, so another Node release may
 * compress differently; the DiffIDs stay the same.)
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { distroFromOsRelease, findExecutable, isStaticElf } from '../../kata/doctor.js';
import { createLayer } from '../../solutions/image/create-layer.js';
import { DigestTransform } from '../../solutions/image/digest.js';
import type { Digest } from '../../solutions/image/digest.js';
import { OCI_CONFIG, OCI_LAYER_TAR_GZIP, OCI_MANIFEST } from '../../solutions/image/media-types.js';
import { OciLayout } from '../../solutions/image/oci-layout.js';
import type { Image, Manifest } from '../../solutions/image/types.js';
import type { HostFacts } from '../../solutions/doctor/facts.js';
import { checkBusybox } from '../../solutions/doctor/rules.js';

const exec = promisify(execFile);

/** The tag each image carries in its layout. */
export const BASE_IMAGE_TAG = 'latest';

/** Every image's `created` and every layer entry's mtime: fixed, for reproducible digests. */
export const BASE_IMAGE_CREATED = '2024-01-01T00:00:00Z';

/** The images {@link buildBaseImages} makes. */
export const BASE_IMAGE_NAMES = ['busybox', 'hello-world'] as const;

/** One built image. */
export interface BaseImage {
  /** The OCI image layout's directory: `<outDir>/<name>`. */
  layoutDir: string;
  /** The ref name in the layout's index.json: `latest` (skopeo: `oci:<layoutDir>:latest`). */
  ref: string;
  /** The digest of the image manifest. */
  manifestDigest: Digest;
  /** The bytes of manifest, config and layer together. */
  size: number;
}

/** What {@link buildBaseImages} returns: one {@link BaseImage} per name. */
export type BaseImages = Record<(typeof BASE_IMAGE_NAMES)[number], BaseImage>;

/** Options of {@link buildBaseImages}. */
export interface BaseImageOptions {
  /** The static busybox to build from; found like the doctor finds it when absent. */
  busybox?: string;
}

/**
 * Finds a static busybox like the doctor does: `busybox`, then `busybox.static`
 * (Alpine), on PATH and in the sbin folders, preferring a static one.
 * @throws Error with the doctor's summary and fix when there is none, or only a dynamic one.
 */
export async function findStaticBusybox(candidate?: string): Promise<string> {
  let found: HostFacts['busybox'] = {};
  if (candidate !== undefined) {
    const isFile = await fs.stat(candidate).then((s) => s.isFile(), () => false);
    if (isFile) found = { path: candidate, isStatic: await isStaticElf(candidate) };
  } else {
    for (const name of ['busybox', 'busybox.static']) {
      const hit = await findExecutable(name);
      if (!hit) continue;
      const isStatic = await isStaticElf(hit.path);
      if (isStatic) {
        found = { path: hit.path, isStatic };
        break;
      }
      if (found.path === undefined) found = { path: hit.path, isStatic };
    }
  }
  if (found.path !== undefined && found.isStatic === true) return found.path;
  const osRelease = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  // Only these two facts matter to the busybox rule.
  const finding = checkBusybox({ distro: distroFromOsRelease(osRelease), busybox: found } as HostFacts);
  throw new Error(`cannot build the base images: ${finding.summary}. Fix: ${finding.fix ?? 'install a static busybox'}`);
}

/** The host's architecture in OCI's words (Node says x64, OCI says amd64). */
export function ociArchitecture(arch: string = process.arch): string {
  const names: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return names[arch] ?? arch;
}

/** hello-world's `/hello`: only shell builtins, since the image has no applet links. */
export const HELLO_SCRIPT = `#!/bin/busybox sh
echo '
Hello from minidocker!
This message shows that your installation appears to be working correctly.

To generate this message, minidocker took the following steps:
 1. The minidocker client contacted the minidocker daemon.
 2. The minidocker daemon found the "hello-world" image in its image store
    (built offline from this machine'"'"'s busybox by npm run images).
 3. The minidocker daemon created a new container from that image, and runc
    ran the executable that produces the output you are currently reading.
 4. The minidocker daemon streamed that output to the minidocker client,
    which sent it to your terminal.

To try something more ambitious, you can run a busybox shell with:
 $ minidocker run -it busybox sh
'
`;

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';
// Modes are set with chmod: mkdir's mode is filtered by the umask, which differs between machines.
const DIRS: [string, number][] = [
  ['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o755],
  ['root', 0o700], ['sys', 0o755], ['tmp', 0o1777], ['var', 0o755],
];

/** Fills `root` with the busybox rootfs: the binary, a symlink per applet, /etc files and the usual folders. */
export async function stageRootfs(root: string, busybox: string, applets: string[]): Promise<void> {
  for (const [dir, mode] of [['', 0o755] as [string, number], ...DIRS]) {
    await fs.mkdir(path.join(root, dir), { recursive: true });
    await fs.chmod(path.join(root, dir), mode);
  }
  await fs.copyFile(busybox, path.join(root, 'bin', 'busybox'));
  await fs.chmod(path.join(root, 'bin', 'busybox'), 0o755);
  for (const applet of applets) await fs.symlink('busybox', path.join(root, 'bin', applet));
  await fs.writeFile(path.join(root, 'etc', 'passwd'), PASSWD);
  await fs.writeFile(path.join(root, 'etc', 'group'), GROUP);
  for (const file of ['passwd', 'group']) await fs.chmod(path.join(root, 'etc', file), 0o644);
}

/** Writes one image (a single layer made from `rootfs`) into a new layout at `layoutDir`. */
async function writeImage(layoutDir: string, rootfs: string, config: Image['config'], createdBy: string): Promise<BaseImage> {
  await fs.rm(layoutDir, { recursive: true, force: true });
  const layout = await OciLayout.init(layoutDir);
  const created = new Date(BASE_IMAGE_CREATED);
  const diff = new DigestTransform();
  // Level 9, and Node's gzip header has no file name and mtime 0: the bytes depend on the content only.
  const gzip = zlib.createGzip({ level: 9 });
  const [layer] = await Promise.all([
    layout.blobs.put(gzip, { mediaType: OCI_LAYER_TAR_GZIP }),
    pipeline(createLayer(undefined, rootfs, { mtime: created, owner: { uid: 0, gid: 0 } }), diff, gzip),
  ]);
  const image: Image = {
    created: BASE_IMAGE_CREATED,
    architecture: ociArchitecture(),
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [diff.digest] },
    history: [{ created: BASE_IMAGE_CREATED, created_by: createdBy }],
  };
  const configDescriptor = await layout.putJson(image, OCI_CONFIG);
  const manifest: Manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDescriptor, layers: [layer] };
  const manifestDescriptor = await layout.putJson(manifest, OCI_MANIFEST);
  await layout.tag(BASE_IMAGE_TAG, manifestDescriptor);
  return {
    layoutDir,
    ref: BASE_IMAGE_TAG,
    manifestDigest: manifestDescriptor.digest,
    size: manifestDescriptor.size + configDescriptor.size + layer.size,
  };
}

const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Builds `<outDir>/busybox` and `<outDir>/hello-world` (each replaced if it
 * exists) from the host's static busybox. Staging folders live in the system
 * temp dir and are removed afterwards, also on failure.
 * @throws Error with the doctor's fix when there is no static busybox.
 */
export async function buildBaseImages(outDir: string, options: BaseImageOptions = {}): Promise<BaseImages> {
  const busybox = await findStaticBusybox(options.busybox);
  const { stdout: list } = await exec(busybox, ['--list']);
  const applets = list.split('\n').map((a) => a.trim()).filter((a) => a !== '' && a !== 'busybox' && !a.includes('/'));
  const { stdout: banner } = await exec(busybox, ['--help']).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  const version = /BusyBox v\S+/.exec(banner)?.[0] ?? 'BusyBox';
  await fs.mkdir(outDir, { recursive: true });
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-base-'));
  try {
    const busyboxRoot = path.join(staging, 'busybox');
    await stageRootfs(busyboxRoot, busybox, applets);
    const helloRoot = path.join(staging, 'hello-world');
    await stageRootfs(helloRoot, busybox, []);
    await fs.writeFile(path.join(helloRoot, 'hello'), HELLO_SCRIPT, { mode: 0o755 });
    await fs.chmod(path.join(helloRoot, 'hello'), 0o755);
    return {
      busybox: await writeImage(path.join(outDir, 'busybox'), busyboxRoot, { Env: [PATH_ENV], Cmd: ['sh'] }, `${version} from the host, ${applets.length} applets`),
      'hello-world': await writeImage(path.join(outDir, 'hello-world'), helloRoot, { Env: [PATH_ENV], Cmd: ['/hello'] }, `${version} from the host and /hello`),
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
