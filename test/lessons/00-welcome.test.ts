/**
 * Lesson 00: the doctor's diagnosis rules (src/doctor/rules.ts).
 *
 * Every check describes a machine as `DoctorFacts` and asks the rules what they
 * make of it. Nothing here looks at the real machine: the workshop's own doctor
 * (`npm start`) does that, with the reference rules.
 */
import { describe, expect, it } from 'vitest';
import type { Distro, Finding, DoctorFacts } from '#kata/doctor/facts.js';
import {
  BUSYBOX_PACKAGE,
  FIXES,
  cgroupLayout,
  checkBusybox,
  checkCgroups,
  checkLinux,
  checkNode,
  checkPrivileges,
  checkRunc,
  checkRuncRun,
  diagnose,
  installCommand,
} from '#kata/doctor/rules.js';

const FILE = 'src/doctor/rules.ts';

/** A healthy machine: Debian, root, runc and a static busybox, cgroup v2. */
const healthy: DoctorFacts = {
  platform: 'linux',
  arch: 'x64',
  nodeVersion: 'v20.20.2',
  uid: 0,
  distro: 'debian',
  inContainer: false,
  runc: { path: '/usr/sbin/runc', onPath: true, version: '1.1.5', runOk: true },
  busybox: { path: '/bin/busybox', isStatic: true },
  userns: { maxUserNamespaces: 15000, unprivilegedUsernsClone: true },
  cgroup: { v2Mounted: true, v1Controllers: [], v2Controllers: ['cpu', 'memory', 'pids'], writable: true },
};

type Overrides = { [K in keyof DoctorFacts]?: DoctorFacts[K] extends object ? Partial<DoctorFacts[K]> : DoctorFacts[K] };

/** The healthy machine with some facts changed (nested facts are merged). */
function facts(o: Overrides = {}): DoctorFacts {
  return {
    ...healthy,
    ...o,
    runc: { ...healthy.runc, ...o.runc },
    busybox: { ...healthy.busybox, ...o.busybox },
    userns: { ...healthy.userns, ...o.userns },
    cgroup: { ...healthy.cgroup, ...o.cgroup },
  };
}

/** A regular user on the healthy machine. */
const user = (o: Overrides = {}): DoctorFacts => facts({ uid: 1000, ...o });

function describeFinding(f: Finding): string {
  return `got ${JSON.stringify(f)}`;
}

describe('lesson 00 — welcome: the doctor', () => {
  it('Node 20.6 or newer, 22 and 24 pass; an odd release only warns', () => {
    for (const v of ['v20.6.0', 'v20.20.2', 'v22.12.0', 'v24.1.0']) {
      const f = checkNode(facts({ nodeVersion: v }));
      expect(f.status, `checkNode in ${FILE} should pass Node ${v}; ${describeFinding(f)}`).toBe('ok');
      expect(f.check, `checkNode in ${FILE} should return check: 'node'`).toBe('node');
    }
    const odd = checkNode(facts({ nodeVersion: 'v23.3.0' }));
    expect(odd.status, `checkNode in ${FILE}: Node v23 (odd, not long-term support) should warn; ${describeFinding(odd)}`).toBe('warn');
    expect(odd.fix, `checkNode in ${FILE}: a warning needs a fix, FIXES.nodeLts`).toBe(FIXES.nodeLts);
  });

  it('an old Node (v18, v20.5) fails and names the fix', () => {
    for (const v of ['v18.19.0', 'v20.5.1', 'v16.20.2', 'v8.17.0']) {
      const f = checkNode(facts({ nodeVersion: v }));
      expect(f.status, `checkNode in ${FILE} should fail Node ${v} (20.6 is the minimum; compare numbers, not strings); ${describeFinding(f)}`).toBe('fail');
      expect(f.fix, `checkNode in ${FILE}: the fix for an old Node is FIXES.node ("nvm install 20")`).toBe(FIXES.node);
    }
  });

  it('a non-Linux host is sent to a Linux VM or a devcontainer', () => {
    for (const platform of ['darwin', 'win32']) {
      const f = checkLinux(facts({ platform }));
      expect(f.status, `checkLinux in ${FILE} should fail on ${platform}; ${describeFinding(f)}`).toBe('fail');
      expect(f.fix, `checkLinux in ${FILE}: the fix is FIXES.linux`).toBe(FIXES.linux);
    }
    const linux = checkLinux(facts());
    expect(linux.status, `checkLinux in ${FILE} should pass on linux; ${describeFinding(linux)}`).toBe('ok');
    expect(linux.check, `checkLinux in ${FILE} should return check: 'linux'`).toBe('linux');
  });

  it("the install command speaks each distribution's package manager", () => {
    const expected: Array<[Distro, string[], string]> = [
      ['debian', ['runc', 'busybox-static'], 'apt-get install -y runc busybox-static'],
      ['ubuntu', ['runc'], 'apt-get install -y runc'],
      ['fedora', ['runc', 'busybox'], 'dnf install -y runc busybox'],
      ['rhel', ['runc'], 'dnf install -y runc'],
      ['arch', ['runc', 'busybox'], 'pacman -S --needed --noconfirm runc busybox'],
      ['alpine', ['runc', 'busybox-static'], 'apk add runc busybox-static'],
    ];
    for (const [distro, packages, command] of expected) {
      expect(installCommand(distro, packages), `installCommand('${distro}', ${JSON.stringify(packages)}) in ${FILE}`).toBe(command);
    }
    expect(installCommand('unknown', ['runc']), `installCommand('unknown', ['runc']) in ${FILE} should still name the package`).toContain('runc');
  });

  it('a missing runc names the install command for this distribution', () => {
    for (const distro of ['debian', 'fedora', 'arch'] as const) {
      const f = checkRunc(facts({ distro, runc: { path: undefined, onPath: undefined, version: undefined, runOk: undefined } }));
      expect(f.status, `checkRunc in ${FILE} should fail when f.runc.path is undefined; ${describeFinding(f)}`).toBe('fail');
      expect(f.fix, `checkRunc in ${FILE}: on ${distro} the fix is installCommand(f.distro, ['runc'])`).toBe(installCommand(distro, ['runc']));
    }
    const found = checkRunc(facts());
    expect(found.status, `checkRunc in ${FILE} should pass when runc is installed; ${describeFinding(found)}`).toBe('ok');
    expect(found.summary, `checkRunc in ${FILE}: the summary should say where runc is`).toContain('/usr/sbin/runc');
    expect(found.check, `checkRunc in ${FILE} should return check: 'runc'`).toBe('runc');
  });

  it('a runc outside PATH warns and names the PATH fix', () => {
    const f = checkRunc(user({ runc: { onPath: false } }));
    expect(f.status, `checkRunc in ${FILE} should warn when f.runc.onPath is false; ${describeFinding(f)}`).toBe('warn');
    expect(f.fix, `checkRunc in ${FILE}: the fix is FIXES.sbinPath`).toBe(FIXES.sbinPath);
  });

  it("a missing busybox names the distribution's busybox package", () => {
    const expected: Array<[Distro, string]> = [
      ['debian', 'apt-get install -y busybox-static'],
      ['ubuntu', 'apt-get install -y busybox-static'],
      ['fedora', 'dnf install -y busybox'],
      ['arch', 'pacman -S --needed --noconfirm busybox'],
      ['alpine', 'apk add busybox-static'],
    ];
    for (const [distro, command] of expected) {
      const f = checkBusybox(facts({ distro, busybox: { path: undefined, isStatic: undefined } }));
      expect(f.status, `checkBusybox in ${FILE} should fail when f.busybox.path is undefined; ${describeFinding(f)}`).toBe('fail');
      expect(f.fix, `checkBusybox in ${FILE}: on ${distro} install BUSYBOX_PACKAGE['${distro}'] (${BUSYBOX_PACKAGE[distro]})`).toBe(command);
    }
  });

  it('a dynamically linked busybox is refused', () => {
    const f = checkBusybox(facts({ busybox: { path: '/usr/bin/busybox', isStatic: false } }));
    expect(f.status, `checkBusybox in ${FILE} should fail when isStatic is false; ${describeFinding(f)}`).toBe('fail');
    expect(f.summary, `checkBusybox in ${FILE}: the summary should name the binary it refused`).toContain('/usr/bin/busybox');
    expect(f.fix, `checkBusybox in ${FILE}: the fix installs the static package`).toBe('apt-get install -y busybox-static');
    const ok = checkBusybox(facts());
    expect(ok.status, `checkBusybox in ${FILE} should pass a static busybox; ${describeFinding(ok)}`).toBe('ok');
    expect(ok.check, `checkBusybox in ${FILE} should return check: 'busybox'`).toBe('busybox');
  });

  it('root runs containers rootful, whatever the user-namespace settings', () => {
    const f = checkPrivileges(facts({ uid: 0, userns: { maxUserNamespaces: 0, unprivilegedUsernsClone: false } }));
    expect(f.status, `checkPrivileges in ${FILE} should pass uid 0 before looking at user namespaces; ${describeFinding(f)}`).toBe('ok');
    expect(f.summary, `checkPrivileges in ${FILE}: the summary should say "root"`).toMatch(/root/);
    expect(f.check, `checkPrivileges in ${FILE} should return check: 'privileges'`).toBe('privileges');
  });

  it('rootless with user namespaces enabled is fine', () => {
    const debian = checkPrivileges(user());
    expect(debian.status, `checkPrivileges in ${FILE} should pass a user with user namespaces; ${describeFinding(debian)}`).toBe('ok');
    expect(debian.summary, `checkPrivileges in ${FILE}: the summary should say "rootless"`).toMatch(/rootless/);
    const fedora = checkPrivileges(user({ distro: 'fedora', userns: { unprivilegedUsernsClone: undefined } }));
    expect(fedora.status, `checkPrivileges in ${FILE}: no unprivileged_userns_clone knob (undefined) means allowed; ${describeFinding(fedora)}`).toBe('ok');
  });

  it('disabled user namespaces name the sysctl fix', () => {
    const clone = checkPrivileges(user({ userns: { unprivilegedUsernsClone: false } }));
    expect(clone.status, `checkPrivileges in ${FILE} should fail when unprivilegedUsernsClone is false; ${describeFinding(clone)}`).toBe('fail');
    expect(clone.fix, `checkPrivileges in ${FILE}: the fix is FIXES.usernsClone`).toBe(FIXES.usernsClone);
    const zero = checkPrivileges(user({ userns: { maxUserNamespaces: 0 } }));
    expect(zero.status, `checkPrivileges in ${FILE} should fail when maxUserNamespaces is 0; ${describeFinding(zero)}`).toBe('fail');
    expect(zero.fix, `checkPrivileges in ${FILE}: the fix is FIXES.maxUserNamespaces`).toBe(FIXES.maxUserNamespaces);
    const none = checkPrivileges(user({ userns: { maxUserNamespaces: undefined, unprivilegedUsernsClone: undefined } }));
    expect(none.status, `checkPrivileges in ${FILE} should fail when the kernel has no user namespaces; ${describeFinding(none)}`).toBe('fail');
    expect(none.fix, `checkPrivileges in ${FILE}: without user namespaces the fix is FIXES.runAsRoot`).toBe(FIXES.runAsRoot);
  });

  it('the cgroup layout is recognised (v1, v2, hybrid, none)', () => {
    const v1 = ['cpu', 'memory', 'pids'];
    const cases: Array<[DoctorFacts['cgroup'], string]> = [
      [{ v2Mounted: true, v1Controllers: [], v2Controllers: ['memory'], writable: true }, 'v2'],
      [{ v2Mounted: true, v1Controllers: v1, v2Controllers: [], writable: true }, 'hybrid'],
      [{ v2Mounted: false, v1Controllers: v1, v2Controllers: [], writable: true }, 'v1'],
      [{ v2Mounted: false, v1Controllers: [], v2Controllers: [], writable: false }, 'none'],
    ];
    for (const [cgroup, layout] of cases) {
      expect(cgroupLayout(cgroup), `cgroupLayout in ${FILE} for ${JSON.stringify(cgroup)}`).toBe(layout);
    }
  });

  it('cgroups never fail: without a mount or write access the doctor warns that limits are unavailable', () => {
    const v2 = checkCgroups(facts());
    expect(v2.status, `checkCgroups in ${FILE} should pass a writable cgroup v2; ${describeFinding(v2)}`).toBe('ok');
    expect(v2.summary, `checkCgroups in ${FILE}: the summary should name the layout`).toContain('v2');
    expect(v2.check, `checkCgroups in ${FILE} should return check: 'cgroups'`).toBe('cgroups');
    const delegated = checkCgroups(user({ cgroup: { writable: false } }));
    expect(delegated.status, `checkCgroups in ${FILE} should warn (not fail) when cgroup v2 is not writable; ${describeFinding(delegated)}`).toBe('warn');
    expect(delegated.fix, `checkCgroups in ${FILE}: for v2 the fix is FIXES.cgroupDelegate`).toBe(FIXES.cgroupDelegate);
    const hybrid = checkCgroups(user({ cgroup: { v1Controllers: ['memory', 'pids'], writable: false } }));
    expect(hybrid.status, `checkCgroups in ${FILE} should warn on a hybrid host it cannot write to; ${describeFinding(hybrid)}`).toBe('warn');
    expect(hybrid.fix, `checkCgroups in ${FILE}: for v1 or hybrid the fix is FIXES.cgroupV1Root`).toBe(FIXES.cgroupV1Root);
    expect(hybrid.summary, `checkCgroups in ${FILE}: the summary should name the layout`).toContain('hybrid');
    const none = checkCgroups(facts({ cgroup: { v2Mounted: false, v1Controllers: [], v2Controllers: [], writable: false } }));
    expect(none.status, `checkCgroups in ${FILE} should warn when no cgroups are mounted; ${describeFinding(none)}`).toBe('warn');
    expect(none.fix, `checkCgroups in ${FILE}: the fix is FIXES.cgroupMount`).toBe(FIXES.cgroupMount);
  });

  it("a test container that failed shows runc's error; one that was not tried only warns", () => {
    const error = 'exec: "/bin/true": permission denied';
    const failed = checkRuncRun(user({ runc: { runOk: false, runError: error } }));
    expect(failed.status, `checkRuncRun in ${FILE} should fail when runOk is false; ${describeFinding(failed)}`).toBe('fail');
    expect(failed.summary, `checkRuncRun in ${FILE}: the summary should include runc's error (f.runc.runError)`).toContain(error);
    expect(failed.fix, `checkRuncRun in ${FILE}: on a host the fix is FIXES.runOnHost`).toBe(FIXES.runOnHost);
    const nested = checkRuncRun(user({ inContainer: true, runc: { runOk: false, runError: error } }));
    expect(nested.fix, `checkRuncRun in ${FILE}: inside a container the fix is FIXES.runInContainer`).toBe(FIXES.runInContainer);
    const ran = checkRuncRun(facts());
    expect(ran.status, `checkRuncRun in ${FILE} should pass when runOk is true; ${describeFinding(ran)}`).toBe('ok');
    expect(ran.check, `checkRuncRun in ${FILE} should return check: 'runc-run'`).toBe('runc-run');
    const untried = checkRuncRun(facts({ runc: { runOk: undefined } }));
    expect(untried.status, `checkRuncRun in ${FILE} should warn when no test container was tried (runOk undefined); ${describeFinding(untried)}`).toBe('warn');
  });

  it('diagnose runs every check in order', () => {
    const order = ['node', 'linux', 'runc', 'busybox', 'privileges', 'cgroups', 'runc-run'];
    const good = diagnose(facts());
    expect(good.map((f) => f.check), `diagnose in ${FILE} should return one finding per check, in this order`).toEqual(order);
    expect(good.map((f) => f.status), `diagnose in ${FILE}: a healthy machine is all ok`).toEqual(order.map(() => 'ok'));
    const mac = diagnose(facts({ platform: 'darwin', nodeVersion: 'v18.19.0', runc: { path: undefined, runOk: undefined } }));
    expect(mac.map((f) => f.check), `diagnose in ${FILE} should keep going after a failure`).toEqual(order);
    expect(mac.map((f) => f.status).slice(0, 3), `diagnose in ${FILE}: node, linux and runc fail on an old Mac`).toEqual(['fail', 'fail', 'fail']);
  });
});
