/**
 * `docker run --user` turned into numbers. The runtime only knows uids and
 * gids, so names are looked up in the image's own account files, never the
 * host's:
 *
 * ```
 * <rootfs>/etc/passwd   name:x:uid:gid:gecos:home:shell   "app" → uid 1000, primary gid 1000
 * <rootfs>/etc/group    name:x:gid:member,member          "staff" → 50; groups listing "app" → additionalGids;
 *                                                          --group-add staff → 50
 * ```
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InvalidParameterError } from '../errdefs.js';

/** Who the container's process runs as, numerically. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** Supplementary groups: the groups of /etc/group that list the user, when no group was given. */
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/**
 * Resolves a user spec the way docker does (moby/sys/user's `GetExecUser`):
 * - `""` or undefined: uid 0 with root's primary gid from passwd (0 without a passwd file);
 * - `"app"`: the passwd entry of that name, its uid and primary gid;
 * - `"1000"`: that uid; its passwd entry's gid when there is one, else gid 0;
 * - `"app:staff"`, `"1000:50"`, `"app:50"`, `":staff"`: the group replaces the primary gid,
 *   a name looked up in /etc/group, a number taken as it is.
 * Without an explicit group, `additionalGids` are the gids of the groups that list the
 * user's name as a member (sorted as in /etc/group, duplicates of the primary gid kept).
 * The account files are read inside `rootfs` only: a symlink is followed as it would be
 * inside the container (an absolute target starts at the rootfs, `..` stops at its root),
 * never out to the host. A missing file counts as empty.
 * @throws InvalidParameterError(`unable to find user ${name}: no matching entries in passwd file`)
 *   for an unknown user name, and `unable to find group ${name}: no matching entries in group file`
 *   for an unknown group name.
 */
export async function resolveUser(rootfs: string, user: string | undefined): Promise<ResolvedUser> {
  const spec = user ?? '';
  const colon = spec.indexOf(':');
  const userArg = colon < 0 ? spec : spec.slice(0, colon);
  const groupArg = colon < 0 ? '' : spec.slice(colon + 1);

  const passwd = parsePasswd(await readInRootfs(rootfs, '/etc/passwd'));
  const numericUid = toId(userArg);
  let uid: number;
  let gid = 0;
  let name = userArg;
  if (userArg === '' || numericUid !== undefined) {
    uid = numericUid ?? 0;
    const entry = passwd.find((e) => e.uid === uid);
    if (entry) ({ gid, name } = entry);
  } else {
    const entry = passwd.find((e) => e.name === userArg);
    if (!entry) throw new InvalidParameterError(`unable to find user ${userArg}: no matching entries in passwd file`);
    ({ uid, gid } = entry);
  }

  const groups = parseGroup(await readInRootfs(rootfs, '/etc/group'));
  if (groupArg !== '') {
    const numericGid = toId(groupArg);
    if (numericGid !== undefined) return { uid, gid: numericGid, additionalGids: [] };
    const group = groups.find((g) => g.name === groupArg);
    if (!group) throw new InvalidParameterError(`unable to find group ${groupArg}: no matching entries in group file`);
    return { uid, gid: group.gid, additionalGids: [] };
  }
  const additionalGids = name === '' ? [] : groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  return { uid, gid, additionalGids };
}

/** The largest uid or gid Linux accepts (2^31 - 1). */
const MAX_ID = 2147483647;

/**
 * docker's `--group-add` (moby/sys/user's `GetAdditionalGroups`): each entry a gid,
 * taken as it is (no group entry needed), or a group name, looked up in the image's
 * /etc/group (inside `rootfs` only, as {@link resolveUser} reads it). The gids come in
 * the order asked, each once.
 * @throws InvalidParameterError(`Unable to find group ${name}: no matching entries in group file`)
 *   for an unknown name, and `uids and gids must be in range 0-2147483647` for a larger gid.
 */
export async function resolveGroups(rootfs: string, groups: readonly string[]): Promise<number[]> {
  const entries = parseGroup(await readInRootfs(rootfs, '/etc/group'));
  const gids = groups.map((group) => {
    const gid = toId(group) ?? entries.find((g) => g.name === group)?.gid;
    if (gid === undefined) throw new InvalidParameterError(`Unable to find group ${group}: no matching entries in group file`);
    if (gid > MAX_ID) throw new InvalidParameterError(`uids and gids must be in range 0-${MAX_ID}`);
    return gid;
  });
  return [...new Set(gids)];
}

/**
 * Reads `<rootfs>/<file>`, resolving every symlink on the way inside the rootfs
 * (like a process chrooted into it). Returns '' when the file does not exist
 * or a symlink loop is too deep.
 */
export async function readInRootfs(rootfs: string, file: string): Promise<string> {
  const resolved = await resolveInRootfs(rootfs, file);
  if (resolved === undefined) return '';
  return fs.readFile(resolved, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR' || err.code === 'EISDIR') return '';
    throw err;
  });
}

/**
 * The host path of `file` as the container would see it: each symlink's
 * target is followed from its own directory, an absolute one from the rootfs,
 * and `..` never climbs above the rootfs. Undefined after 40 symlinks.
 */
async function resolveInRootfs(rootfs: string, file: string): Promise<string | undefined> {
  const parts: string[] = [];
  let pending = file.split('/').filter((p) => p !== '' && p !== '.');
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      parts.pop();
      continue;
    }
    const here = path.join(rootfs, ...parts, part);
    const target = await fs.readlink(here).catch(() => undefined);
    if (target === undefined) {
      parts.push(part);
      continue;
    }
    if (++links > 40) return undefined;
    if (target.startsWith('/')) parts.length = 0;
    pending = [...target.split('/').filter((p) => p !== '' && p !== '.'), ...pending];
  }
  return path.join(rootfs, ...parts);
}

function toId(value: string): number | undefined {
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.trim().split(':');
    if (!name || name.startsWith('#') || uid === undefined || gid === undefined) continue;
    const u = toId(uid);
    const g = toId(gid);
    if (u !== undefined && g !== undefined) entries.push({ name, uid: u, gid: g });
  }
  return entries;
}

function parseGroup(text: string): GroupEntry[] {
  const entries: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const [name, , gid, members] = line.trim().split(':');
    const g = toId(gid ?? '');
    if (!name || name.startsWith('#') || g === undefined) continue;
    entries.push({ name, gid: g, members: (members ?? '').split(',').filter(Boolean) });
  }
  return entries;
}
