/**
 * Lesson 02 — client: commands. Each check runs `minidocker` in-process
 * (`main(argv, io)`) against the fake daemon, then looks at the requests the
 * fake recorded, what was printed, and the exit code.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '#kata/cli/main.js';
import type { CliInput } from '#kata/cli/context.js';
import { FakeDaemon, frame } from '../support/fake-daemon.js';
import type { FakeResponder, RecordedRequest } from '../support/fake-daemon.js';

const fakes: FakeDaemon[] = [];
const tempDirs: string[] = [];

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await Promise.all(tempDirs.splice(0).map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function startFake(): Promise<FakeDaemon> {
  const fake = await FakeDaemon.start();
  fakes.push(fake);
  return fake;
}

/** Collects everything written, synchronously. */
class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `minidocker <argv>` with MINIDOCKER_HOST pointing at `fake` unless `env` says otherwise. */
async function minidocker(
  fake: FakeDaemon | undefined,
  argv: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: CliInput } = {},
): Promise<Outcome> {
  const stdout = new Capture();
  const stderr = new Capture();
  const env = options.env ?? (fake ? { MINIDOCKER_HOST: fake.host } : {});
  const io = { stdin: options.stdin ?? new PassThrough(), stdout, stderr, env };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(
            `minidocker ${argv.join(' ')} did not finish within 10 s (stdout so far: ${JSON.stringify(stdout.text)}). ` +
              'For run: is start sent once the wait response headers arrive (not its body), and does the output copy end when the attach stream ends? — src/cli/commands/run.ts',
          ),
        ),
      10_000,
    );
  });
  const running = main(argv, io);
  running.catch(() => {}); // a run abandoned by the timeout must not surface later as an unhandled rejection
  try {
    const code = await Promise.race([running, timeout]);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
  }
}

const now = () => Math.floor(Date.now() / 1000);
const ID = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';
const calls = (fake: FakeDaemon) => fake.calls().map((r) => `${r.method} ${r.route}`);
const bodyOf = (req: RecordedRequest | undefined) => JSON.parse(req?.body.toString() || 'null') as Record<string, unknown>;

/** Resolves after `ms`, for waiting on something that a wrong answer never sends. */
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Container {
  /** Frames (or raw bytes with a TTY) the attach stream carries once the container starts. */
  output?: Buffer;
  statusCode?: number;
  /** Called with the hijacked socket before output is written (read stdin here). */
  onAttach?: (socket: Socket) => Promise<void> | void;
}

/**
 * Programs create → attach → wait → start like dockerd: wait flushes its
 * headers at once but answers only after start; output flows after start.
 */
function programContainer(fake: FakeDaemon, id: string, container: Container = {}) {
  let markStarted = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let markOutputDone = () => {};
  const outputDone = new Promise<void>((resolve) => (markOutputDone = resolve));
  const state = { halfClosed: false };
  fake.on('POST', '/containers/create', (_req, res) => res.json(201, { Id: id, Warnings: [] }));
  fake.on('POST', `/containers/${id}/attach`, async (_req, res) => {
    const socket = res.hijack();
    const ended = new Promise<void>((resolve) => socket.once('end', resolve)).then(() => {
      state.halfClosed = true;
    });
    if (container.onAttach) await container.onAttach(socket);
    else socket.resume();
    await started;
    await Promise.race([ended, delay(1000)]);
    socket.end(container.output ?? Buffer.alloc(0));
    markOutputDone();
  });
  fake.on('POST', `/containers/${id}/wait`, async (_req, res) => {
    res.raw?.writeHead(200, { 'Content-Type': 'application/json' });
    res.raw?.flushHeaders();
    await started;
    await Promise.race([outputDone, delay(1500)]);
    res.raw?.end(`${JSON.stringify({ Error: null, StatusCode: container.statusCode ?? 0 })}\n`);
  });
  fake.on('POST', `/containers/${id}/start`, (_req, res) => {
    res.empty(204);
    markStarted();
  });
  return state;
}

function find(fake: FakeDaemon, method: string, route: string): RecordedRequest | undefined {
  return fake.calls().find((r) => r.method === method && r.route === route);
}

describe('lesson 02 — client: commands', () => {
  it('version prints a Client and a Server section from GET /version, and -H wins over MINIDOCKER_HOST', async () => {
    const fake = await startFake();
    fake.on('GET', '/version', (_req, res) =>
      res.json(200, { Version: '9.8.7-fake', ApiVersion: '1.41', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64', GitCommit: 'abc1234' }),
    );
    const viaEnv = await minidocker(fake, ['version']);
    expect(viaEnv.code, `minidocker version should exit 0 (stderr: ${viaEnv.stderr}) — src/cli/commands/system.ts version`).toBe(0);
    expect(calls(fake), 'version asks GET /version — src/cli/commands/system.ts version').toEqual(['GET /version']);
    const out = viaEnv.stdout;
    expect(out, 'a "Client:" section comes first — src/cli/commands/system.ts version').toMatch(/^Client:\n Version: +\S+/);
    expect(out, 'then a "Server:" section with an " Engine:" component — src/cli/commands/system.ts version').toMatch(/\nServer:\n Engine:\n/);
    expect(out, 'the Engine version, aligned like docker (key padded to 20 columns) — src/cli/commands/system.ts version').toContain(
      '\n  Version:          9.8.7-fake\n',
    );
    expect(out, 'API version with the minimum version, as docker prints it — src/cli/commands/system.ts version').toContain(
      '\n  API version:      1.41 (minimum version 1.24)\n',
    );
    expect(out, 'OS/Arch of the daemon — src/cli/commands/system.ts version').toContain('\n  OS/Arch:          linux/amd64\n');

    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-02-'));
    tempDirs.push(dir);
    const viaFlag = await minidocker(fake, ['-H', fake.host, 'version'], { env: { MINIDOCKER_HOST: `unix://${dir}/nobody.sock` } });
    expect(viaFlag.code, `-H must win over MINIDOCKER_HOST (stderr: ${viaFlag.stderr}) — src/cli/main.ts, config.ts resolveClientSocket`).toBe(0);
    expect(calls(fake), 'the second version went to the -H daemon').toEqual(['GET /version', 'GET /version']);
  });

  it('info prints the Server section from GET /info', async () => {
    const fake = await startFake();
    const full = {
      Containers: 3, ContainersRunning: 1, ContainersPaused: 0, ContainersStopped: 2, Images: 4,
      ServerVersion: '0.1.0', Driver: 'overlay', CgroupDriver: 'cgroupfs', CgroupVersion: '2',
      KernelVersion: '6.1.0-18-amd64', OperatingSystem: 'Debian GNU/Linux 12 (bookworm)', OSType: 'linux',
      Architecture: 'x86_64', NCPU: 2, MemTotal: 25_200_000_000, Name: 'box', ID: 'ZX3Q:ABCD', DockerRootDir: '/var/lib/minidocker',
    };
    let answer: unknown = full;
    fake.on('GET', '/info', (_req, res) => res.json(200, answer));
    const { code, stdout, stderr } = await minidocker(fake, ['info']);
    expect(code, `minidocker info should exit 0 (stderr: ${stderr}) — src/cli/commands/system.ts info`).toBe(0);
    expect(calls(fake), 'info asks GET /info — src/cli/commands/system.ts info').toEqual(['GET /info']);
    expect(stdout, 'a Client: section, then a Server: section — src/cli/commands/system.ts info').toMatch(/^Client:\n[\s\S]*\nServer:\n/);
    for (const line of [
      ' Containers: 3', '  Running: 1', '  Paused: 0', '  Stopped: 2', ' Images: 4', ' Server Version: 0.1.0',
      ' Storage Driver: overlay', ' Cgroup Driver: cgroupfs', ' Cgroup Version: 2', ' Kernel Version: 6.1.0-18-amd64',
      ' Operating System: Debian GNU/Linux 12 (bookworm)', ' OSType: linux', ' Architecture: x86_64', ' CPUs: 2',
      ' Total Memory: 23.47GiB', ' Name: box', ' ID: ZX3Q:ABCD', ' Docker Root Dir: /var/lib/minidocker',
    ]) {
      expect(stdout.split('\n'), `docker info prints the line "${line}" — src/cli/commands/system.ts info (Total Memory: binary units, 4 digits: bytesSize from src/units.ts)`).toContain(line);
    }
    answer = {};
    const empty = await minidocker(fake, ['info']);
    expect(empty.code, `an empty {} answer is valid: every field prints as a zero value (stderr: ${empty.stderr}) — src/cli/commands/system.ts info`).toBe(0);
    expect(empty.stdout.split('\n'), 'missing numbers print as 0 — src/cli/commands/system.ts info').toEqual(expect.arrayContaining([' Containers: 0', ' CPUs: 0', ' Total Memory: 0B']));
  });

  it("ps prints docker's table, and ps -a asks for all=1", async () => {
    const fake = await startFake();
    fake.on('GET', '/containers/json', (req, res) =>
      res.json(200, [
        { Id: ID, Names: ['/web'], Image: 'busybox', Command: 'echo hi', Created: now() - 3 * 3600, State: 'running', Status: 'Up 3 hours', Ports: [], Labels: {} },
        {
          Id: `0f9e8d7c6b5a${'0'.repeat(52)}`, Names: ['/logger'], Image: 'alpine:3.19', Command: "sh -c 'while true; do date; sleep 1; done'",
          Created: now() - 90, State: 'running', Status: 'Up About a minute', Ports: [], Labels: {},
        },
        ...(req.query.get('all') === '1'
          ? [{ Id: `c0ffee${'1'.repeat(58)}`, Names: ['/done'], Image: 'busybox', Command: 'true', Created: now() - 3 * 3600, State: 'exited', Status: 'Exited (0) 2 hours ago', Ports: [], Labels: {} }]
          : []),
      ]),
    );
    const { code, stdout, stderr } = await minidocker(fake, ['ps']);
    expect(code, `minidocker ps should exit 0 (stderr: ${stderr}) — src/cli/commands/containers.ts ps`).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0], 'the header, laid out like Go tabwriter (each column padded to max(10, widest + 3)) — src/cli/format.ts formatTable').toBe(
      'CONTAINER ID   IMAGE         COMMAND                  CREATED              STATUS              PORTS     NAMES',
    );
    expect(lines[1], 'a row: 12-char id, image, quoted command, "3 hours ago", status, empty ports, name without "/" — src/cli/commands/containers.ts ps').toBe(
      'a1b2c3d4e5f6   busybox       "echo hi"                3 hours ago          Up 3 hours                    web',
    );
    expect(lines[2], 'a long command is cut to 20 characters with "…" before quoting; 90 s is "About a minute" — src/cli/commands/containers.ts ps (ellipsis, timeAgo in src/cli/format.ts)').toBe(
      '0f9e8d7c6b5a   alpine:3.19   "sh -c \'while true; …"   About a minute ago   Up About a minute             logger',
    );
    expect(stdout.endsWith('logger\n'), 'every line ends with a newline and there is nothing after the last row').toBe(true);
    expect(fake.calls()[0]?.query.has('all'), 'plain ps sends no all= parameter — src/cli/commands/containers.ts ps').toBe(false);

    const all = await minidocker(fake, ['ps', '-a']);
    expect(fake.calls()[1]?.query.get('all'), 'ps -a asks GET /containers/json?all=1 — src/cli/commands/containers.ts ps').toBe('1');
    expect(all.stdout, 'ps -a lists the exited container too').toContain('Exited (0) 2 hours ago');
  });

  it('images prints one row per tag with the short id, age and human size', async () => {
    const fake = await startFake();
    fake.on('GET', '/images/json', (_req, res) =>
      res.json(200, [
        { Id: `sha256:e7d3c1a2b4f6${'a'.repeat(52)}`, RepoTags: ['busybox:latest', 'busybox:1.36'], Created: now() - 5 * 86400, Size: 4_261_134 },
        { Id: `sha256:0a1b2c3d4e5f${'b'.repeat(52)}`, RepoTags: null, Created: now() - 45 * 60, Size: 999 },
        { Id: `sha256:9f8e7d6c5b4a${'c'.repeat(52)}`, RepoTags: ['127.0.0.1:5000/tools/app:v1'], Created: now() - 3 * 365 * 86400, Size: 1_234_567_890 },
      ]),
    );
    const { code, stdout, stderr } = await minidocker(fake, ['images']);
    expect(code, `minidocker images should exit 0 (stderr: ${stderr}) — src/cli/commands/images.ts images`).toBe(0);
    expect(calls(fake), 'images asks GET /images/json — src/cli/commands/images.ts images').toEqual(['GET /images/json']);
    const expected = [
      'REPOSITORY                 TAG       IMAGE ID       CREATED          SIZE',
      'busybox                    latest    e7d3c1a2b4f6   5 days ago       4.26MB',
      'busybox                    1.36      e7d3c1a2b4f6   5 days ago       4.26MB',
      '<none>                     <none>    0a1b2c3d4e5f   45 minutes ago   999B',
      '127.0.0.1:5000/tools/app   v1        9f8e7d6c5b4a   3 years ago      1.23GB',
    ];
    expected.forEach((line, i) => {
      expect(
        stdout.split('\n')[i],
        'one row per RepoTag (the tag split at the last ":" after the last "/"), <none> for an untagged image, the id without "sha256:" cut to 12, ' +
          'decimal sizes with 3 digits — src/cli/commands/images.ts images (shortId, humanSize from src/units.ts; timeAgo), src/cli/format.ts formatTable',
      ).toBe(line);
    });
  });

  it('pull sends the fully qualified name and prints the progress like docker', async () => {
    const fake = await startFake();
    fake.on('POST', '/images/create', (req, res) =>
      req.query.get('tag') === 'latest'
        ? res.lines(200, [
            { status: 'Pulling from library/busybox', id: 'latest' },
            { status: 'Pulling fs layer', progressDetail: {}, id: 'abc123' },
            { status: 'Downloading', progressDetail: { current: 100, total: 1000 }, progress: '[=>      ]', id: 'abc123' },
            { status: 'Download complete', progressDetail: {}, id: 'abc123' },
            { status: 'Pull complete', progressDetail: {}, id: 'abc123' },
            { status: 'Digest: sha256:feed' },
            { status: 'Status: Downloaded newer image for busybox:latest' },
          ])
        : res.lines(200, [{ status: 'Pulling from tools/app', id: 'v1' }, { errorDetail: { message: 'manifest unknown: manifest unknown' }, error: 'manifest unknown: manifest unknown' }]),
    );
    const ok = await minidocker(fake, ['pull', 'busybox']);
    expect(ok.code, `minidocker pull busybox should exit 0 (stderr: ${ok.stderr}) — src/cli/commands/images.ts pull`).toBe(0);
    const req = find(fake, 'POST', '/images/create');
    expect(req?.query.get('fromImage'), 'Docker Hub names travel fully qualified: fromImage is parseImageName(…).name — src/cli/commands/images.ts pullImage').toBe('docker.io/library/busybox');
    expect(req?.query.get('tag'), 'no tag means latest — src/cli/commands/images.ts pullImage (parseImageName(…).tag)').toBe('latest');
    expect(req?.headers['x-registry-auth'], 'docker sends X-Registry-Auth: e30= (base64 of {}) — src/cli/commands/images.ts pullImage').toBe('e30=');
    expect(ok.stdout, '"Using default tag", "<id>: <status>" per message (bar-only messages skipped), then the full name — src/cli/commands/images.ts pull, pullImage').toBe(
      [
        'Using default tag: latest',
        'latest: Pulling from library/busybox',
        'abc123: Pulling fs layer',
        'abc123: Download complete',
        'abc123: Pull complete',
        'Digest: sha256:feed',
        'Status: Downloaded newer image for busybox:latest',
        'docker.io/library/busybox:latest',
        '',
      ].join('\n'),
    );

    const failed = await minidocker(fake, ['pull', '127.0.0.1:5000/tools/app:v1']);
    const second = fake.calls()[1];
    expect(second?.query.get('fromImage'), 'a registry host stays in the name — src/cli/commands/images.ts pullImage (parseImageName(…).name)').toBe('127.0.0.1:5000/tools/app');
    expect(second?.query.get('tag'), 'the tag is split off at the last ":" after the last "/" — src/cli/commands/images.ts pullImage (parseImageName(…).tag)').toBe('v1');
    expect(failed.stdout, 'no "Using default tag" line when a tag was given — src/cli/commands/images.ts pull').not.toContain('Using default tag');
    expect(failed.stderr, 'an errorDetail in the stream is printed — src/cli/commands/images.ts pullImage').toContain('manifest unknown: manifest unknown');
    expect(failed.code, 'an errorDetail in the stream makes pull exit 1 — src/cli/commands/images.ts pullImage (throw)').toBe(1);
  });

  it("run does create, attach, wait, start in that order and exits with the container's code", async () => {
    const fake = await startFake();
    const state = programContainer(fake, ID, { output: Buffer.concat([frame(1, 'hi\n'), frame(2, 'oops\n')]), statusCode: 3 });
    const { code, stdout, stderr } = await minidocker(fake, ['run', 'busybox', 'echo', 'hi']);
    expect(calls(fake), 'docker run is create → attach → wait → start — src/cli/commands/run.ts run').toEqual([
      'POST /containers/create',
      `POST /containers/${ID}/attach`,
      `POST /containers/${ID}/wait`,
      `POST /containers/${ID}/start`,
    ]);
    const body = bodyOf(find(fake, 'POST', '/containers/create'));
    expect(body, 'the create body, as docker fills it — src/cli/commands/run.ts buildCreateRequest').toMatchObject({
      Image: 'busybox', Cmd: ['echo', 'hi'], Entrypoint: null, Env: null, Tty: false, OpenStdin: false,
      AttachStdin: false, AttachStdout: true, AttachStderr: true, HostConfig: { AutoRemove: false, NetworkMode: 'default' },
    });
    const attach = find(fake, 'POST', `/containers/${ID}/attach`);
    expect(attach?.upgrade, 'attach is a hijack (Connection: Upgrade) — src/cli/commands/run.ts run, containerAttach').toBe(true);
    expect(Object.fromEntries(attach?.query ?? []), 'attach asks for stream, stdout and stderr (no stdin without -i)').toEqual({ stream: '1', stdout: '1', stderr: '1' });
    expect(find(fake, 'POST', `/containers/${ID}/wait`)?.query.get('condition'), 'without --rm, wait for the next exit').toBe('next-exit');
    expect(state.halfClosed, 'without -i the CLI half-closes the attach stream right away (stream.end()) — src/cli/commands/run.ts').toBe(true);
    expect(stdout, 'stdout frames go to stdout — src/cli/commands/run.ts (demultiplex)').toBe('hi\n');
    expect(stderr, 'stderr frames go to stderr — src/cli/commands/run.ts (demultiplex)').toBe('oops\n');
    expect(code, "the exit code is wait's StatusCode — src/cli/commands/run.ts run").toBe(3);
  });

  it('run --rm asks the daemon to auto-remove and waits for condition=removed', async () => {
    const fake = await startFake();
    programContainer(fake, ID, { output: frame(1, 'bye\n') });
    const { code, stdout, stderr } = await minidocker(fake, ['run', '--rm', 'busybox', 'true']);
    expect(code, `run --rm should exit 0 (stderr: ${stderr}) — src/cli/commands/run.ts`).toBe(0);
    expect(stdout).toBe('bye\n');
    expect(bodyOf(find(fake, 'POST', '/containers/create')).HostConfig, '--rm sets HostConfig.AutoRemove — src/cli/commands/run.ts buildCreateRequest').toMatchObject({ AutoRemove: true });
    expect(find(fake, 'POST', `/containers/${ID}/wait`)?.query.get('condition'), 'with --rm, wait until the daemon has removed the container — src/cli/commands/run.ts run').toBe('removed');
  });

  it('run pulls the image and creates again when create answers 404', async () => {
    const fake = await startFake();
    programContainer(fake, ID, { output: frame(1, 'variant\n') });
    let creates = 0;
    fake.on('POST', '/containers/create', (_req, res) =>
      ++creates === 1 ? res.json(404, { message: 'No such image: busybox:latest' }) : res.json(201, { Id: ID, Warnings: [] }),
    );
    fake.on('POST', '/images/create', (_req, res) =>
      res.lines(200, [{ status: 'Pulling from library/busybox', id: 'latest' }, { status: 'Pull complete', id: 'abc123' }, { status: 'Status: Downloaded newer image for busybox:latest' }]),
    );
    const { code, stdout, stderr } = await minidocker(fake, ['run', 'busybox', 'cat', '/VARIANT']);
    expect(calls(fake), 'a 404 from create means "pull, then create again" — src/cli/commands/run.ts (NotFoundError)').toEqual([
      'POST /containers/create',
      'POST /images/create',
      'POST /containers/create',
      `POST /containers/${ID}/attach`,
      `POST /containers/${ID}/wait`,
      `POST /containers/${ID}/start`,
    ]);
    const pull = find(fake, 'POST', '/images/create');
    expect(pull?.query.get('fromImage'), 'the pull uses the fully qualified name — src/cli/commands/images.ts pullImage').toBe('docker.io/library/busybox');
    expect(pull?.query.get('tag')).toBe('latest');
    expect(stderr, "docker says so on stderr — src/cli/commands/run.ts").toContain("Unable to find image 'busybox:latest' locally\n");
    expect(stderr, 'the pull progress goes to stderr, keeping stdout for the container — src/cli/commands/run.ts').toContain('abc123: Pull complete\n');
    expect(stdout, "stdout carries only the container's output").toBe('variant\n');
    expect(code).toBe(0);
  });

  it('run -d starts without attaching and prints the full id', async () => {
    const fake = await startFake();
    programContainer(fake, ID);
    const { code, stdout, stderr } = await minidocker(fake, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '60']);
    expect(code, `run -d should exit 0 (stderr: ${stderr}) — src/cli/commands/run.ts`).toBe(0);
    expect(stdout, 'run -d prints the full container id and a newline — src/cli/commands/run.ts').toBe(`${ID}\n`);
    expect(calls(fake), 'run -d must not attach — src/cli/commands/run.ts').not.toContain(`POST /containers/${ID}/attach`);
    expect(calls(fake), 'run -d starts the container — src/cli/commands/run.ts').toContain(`POST /containers/${ID}/start`);
    const order = calls(fake);
    expect(
      order.indexOf(`POST /containers/${ID}/wait`),
      'like docker, run -d has a wait under way before it starts the container — src/cli/commands/run.ts',
    ).toBeGreaterThan(-1);
    expect(order.indexOf(`POST /containers/${ID}/wait`)).toBeLessThan(order.indexOf(`POST /containers/${ID}/start`));
    const create = find(fake, 'POST', '/containers/create');
    expect(create?.query.get('name'), '--name travels as ?name= — src/cli/commands/run.ts').toBe('web');
    expect(bodyOf(create), 'detached: nothing is attached — src/cli/commands/run.ts buildCreateRequest').toMatchObject({ AttachStdin: false, AttachStdout: false, AttachStderr: false });
  });

  it('run -e, -w, --name and -it land in the create request, and stdin reaches the container', async () => {
    const fake = await startFake();
    let received = '';
    const modes: boolean[] = [];
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      setRawMode(mode: boolean) {
        modes.push(mode);
        return this;
      },
    });
    const state = programContainer(fake, ID, {
      onAttach: async (socket) => {
        // Collect what the CLI sends until it half-closes, then echo it like a TTY would.
        await new Promise<void>((resolve) => {
          socket.on('data', (c: Buffer) => (received += c.toString()));
          socket.once('end', resolve);
        });
      },
      output: Buffer.from('hello\r\n'),
      statusCode: 0,
    });
    stdin.end('hello\n');
    const { code, stdout, stderr } = await minidocker(
      fake,
      ['run', '--name', 'web', '-e', 'GREETING=hi', '-e', 'FROM_HOST', '-w', '/tmp', '-it', 'busybox', 'sh', '-c', 'cat; ls -l'],
      { env: { MINIDOCKER_HOST: fake.host, FROM_HOST: 'copied' }, stdin },
    );
    expect(code, `run -it should exit 0 (stderr: ${stderr}) — src/cli/commands/run.ts`).toBe(0);
    const create = find(fake, 'POST', '/containers/create');
    expect(create?.query.get('name'), '--name travels as ?name= — src/cli/commands/run.ts').toBe('web');
    expect(bodyOf(create), 'flags as docker sends them; "-e KEY" alone takes the value from the CLI environment — src/cli/commands/run.ts buildCreateRequest').toMatchObject({
      Image: 'busybox',
      Cmd: ['sh', '-c', 'cat; ls -l'],
      Env: ['GREETING=hi', 'FROM_HOST=copied'],
      WorkingDir: '/tmp',
      Tty: true,
      OpenStdin: true,
      AttachStdin: true,
      StdinOnce: true,
    });
    expect(find(fake, 'POST', `/containers/${ID}/attach`)?.query.get('stdin'), 'with -i, attach asks for stdin=1 — src/cli/commands/run.ts').toBe('1');
    expect(received, 'our stdin is piped into the attach stream — src/cli/commands/run.ts').toBe('hello\n');
    expect(state.halfClosed, 'when stdin ends the attach stream is half-closed, so the container sees EOF — src/cli/commands/run.ts').toBe(true);
    expect(stdout, 'with a TTY the stream is raw bytes, copied as they are (no frames) — src/cli/commands/run.ts').toBe('hello\r\n');
    expect(modes, 'with -it on a terminal, stdin goes into raw mode and is restored afterwards — src/cli/commands/run.ts').toEqual([true, false]);
  });

  it('logs -f inspects for the full id and splits stdout from stderr', async () => {
    const fake = await startFake();
    const ttyId = `7777${'e'.repeat(60)}`;
    fake.on('GET', '/containers/web/json', (_req, res) => res.json(200, { Id: ID, Name: '/web', Config: { Tty: false } }));
    fake.on('GET', '/containers/term/json', (_req, res) => res.json(200, { Id: ttyId, Name: '/term', Config: { Tty: true } }));
    fake.on('GET', `/containers/${ID}/logs`, async (_req, res) => {
      res.raw?.writeHead(200);
      for (const chunk of [frame(1, 'line 1\n'), frame(2, 'warn\n'), frame(1, 'line 2\n')]) {
        res.raw?.write(chunk);
        await delay(5);
      }
      res.raw?.end();
    });
    fake.on('GET', `/containers/${ttyId}/logs`, (_req, res) => {
      res.raw?.writeHead(200);
      res.raw?.end('raw\r\n');
    });
    const { code, stdout, stderr } = await minidocker(fake, ['logs', '-f', 'web']);
    expect(code, `logs -f should exit 0 once the stream ends (stderr: ${stderr}) — src/cli/commands/containers.ts logs`).toBe(0);
    expect(calls(fake), 'docker logs inspects the container, then asks for the logs by its full Id — src/cli/commands/containers.ts logs').toEqual([
      'GET /containers/web/json',
      `GET /containers/${ID}/logs`,
    ]);
    const query = Object.fromEntries(find(fake, 'GET', `/containers/${ID}/logs`)?.query ?? []);
    expect(query, 'logs -f asks for stdout=1, stderr=1, tail=all and follow=1 — src/cli/commands/containers.ts logs').toMatchObject({ stdout: '1', stderr: '1', tail: 'all', follow: '1' });
    expect(stdout, 'stdout frames → stdout — src/cli/commands/containers.ts logs (demultiplex)').toBe('line 1\nline 2\n');
    expect(stderr, 'stderr frames → stderr — src/cli/commands/containers.ts logs (demultiplex)').toBe('warn\n');

    const tty = await minidocker(fake, ['logs', 'term']);
    expect(tty.stdout, 'a TTY container logs raw bytes: copy them as they are — src/cli/commands/containers.ts logs (Config.Tty)').toBe('raw\r\n');
    expect(find(fake, 'GET', `/containers/${ttyId}/logs`)?.query.has('follow'), 'without -f no follow parameter is sent').toBe(false);
  });

  it('stop, rm -f and rmi send the docker requests and print what docker prints', async () => {
    const fake = await startFake();
    const answer = (res: FakeResponder, name: string | undefined) =>
      name === 'nope' ? res.json(404, { message: 'No such container: nope' }) : res.empty(204);
    fake.on('POST', /^\/containers\/[^/]+\/stop$/, (req, res) => answer(res, req.route.split('/')[2]));
    fake.on('DELETE', /^\/containers\/[^/]+$/, (req, res) => answer(res, req.route.split('/')[2]));
    fake.on('DELETE', '/images/busybox', (_req, res) =>
      res.json(200, [{ Untagged: 'busybox:latest' }, { Untagged: 'busybox@sha256:feed' }, { Deleted: 'sha256:e7d3c1a2' }]),
    );

    const stop = await minidocker(fake, ['stop', '-t', '1', 'web']);
    expect(stop.code, `stop should exit 0 (stderr: ${stop.stderr}) — src/cli/commands/containers.ts stop`).toBe(0);
    expect(stop.stdout, 'stop echoes each name it stopped — src/cli/commands/containers.ts stop').toBe('web\n');
    const stopReq = find(fake, 'POST', '/containers/web/stop');
    expect(stopReq?.query.get('t'), 'stop -t 1 sends ?t=1 — src/cli/commands/containers.ts stop').toBe('1');

    const rm = await minidocker(fake, ['rm', '-f', 'web']);
    expect(rm.stdout, 'rm echoes each name it removed — src/cli/commands/containers.ts rm').toBe('web\n');
    expect(find(fake, 'DELETE', '/containers/web')?.query.get('force'), 'rm -f sends ?force=1 — src/cli/commands/containers.ts rm').toBe('1');

    const partly = await minidocker(fake, ['stop', 'nope', 'web']);
    expect(partly.stdout, 'the names that worked are still printed — src/cli/commands/containers.ts stop').toBe('web\n');
    expect(partly.stderr, 'each failure is printed as docker does — src/cli/format.ts describeError').toBe('Error response from daemon: No such container: nope\n');
    expect(partly.code, 'any failure makes the command exit 1 — src/cli/commands/containers.ts stop').toBe(1);
    expect(fake.calls().filter((r) => r.route === '/containers/web/stop').at(-1)?.query.has('t'), 'without -t no t= is sent (the daemon decides)').toBe(false);

    const rmi = await minidocker(fake, ['rmi', 'busybox']);
    expect(rmi.code, `rmi should exit 0 (stderr: ${rmi.stderr}) — src/cli/commands/images.ts rmi`).toBe(0);
    expect(rmi.stdout, 'rmi prints an Untagged:/Deleted: line per entry of the answer — src/cli/commands/images.ts rmi').toBe(
      'Untagged: busybox:latest\nUntagged: busybox@sha256:feed\nDeleted: sha256:e7d3c1a2\n',
    );
  });

  it('a daemon error prints "Error response from daemon:" and exits 125 for run (127 for a missing command), 1 for others', async () => {
    const fake = await startFake();
    fake.on('GET', '/containers/json', (_req, res) => res.json(500, { message: 'boom' }));
    const ps = await minidocker(fake, ['ps']);
    expect(ps.stderr, 'other commands print the daemon message after "Error response from daemon: " — src/cli/format.ts describeError').toBe('Error response from daemon: boom\n');
    expect(ps.code, 'other commands exit 1 on a daemon error').toBe(1);

    fake.on('POST', '/containers/create', (_req, res) => res.json(409, { message: 'Conflict. The container name "/web" is already in use' }));
    const conflict = await minidocker(fake, ['run', '--name', 'web', 'busybox']);
    expect(conflict.stderr, 'run prefixes the error with "minidocker: " — src/cli/commands/run.ts runStatusError').toMatch(
      /^minidocker: Error response from daemon: Conflict\. The container name "\/web" is already in use\n/,
    );
    expect(conflict.stderr, "run points to its help, like docker — src/cli/commands/run.ts runStatusError").toContain("minidocker run --help");
    expect(conflict.code, 'a daemon error during run exits 125 — src/cli/commands/run.ts runStatusError').toBe(125);
    expect(calls(fake), 'nothing is pulled for an error that is not a 404 — src/cli/commands/run.ts').not.toContain('POST /images/create');

    programContainer(fake, ID);
    fake.on('POST', `/containers/${ID}/start`, (_req, res) =>
      res.json(500, { message: 'failed to create task: exec: "nope": executable file not found in $PATH' }),
    );
    const missing = await minidocker(fake, ['run', 'busybox', 'nope']);
    expect(missing.stderr, 'the start error is printed — src/cli/commands/run.ts').toContain('executable file not found');
    expect(missing.code, 'a command that cannot be found exits 127, like a shell — src/cli/commands/run.ts runStatusError').toBe(127);
  });

  it('a missing daemon is reported with a clear message', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dockerlings-02-'));
    tempDirs.push(dir);
    const host = `unix://${path.join(dir, 'nobody-listens.sock')}`;
    const ps = await minidocker(undefined, ['-H', host, 'ps']);
    expect(ps.stderr, 'the DaemonUnreachableError message names the socket — src/cli/format.ts describeError').toContain(
      `Cannot connect to the minidocker daemon at ${host}`,
    );
    expect(ps.stderr, 'an unreachable daemon is not an "Error response from daemon" — src/cli/format.ts describeError').not.toContain('Error response from daemon');
    expect(ps.code, 'ps without a daemon exits 1').toBe(1);

    const run = await minidocker(undefined, ['-H', host, 'run', 'busybox']);
    expect(run.stderr, 'run reports it as "minidocker: Cannot connect …" — src/cli/commands/run.ts runStatusError').toMatch(/^minidocker: Cannot connect to the minidocker daemon/);
    expect(run.code, 'run without a daemon exits 125 — src/cli/commands/run.ts runStatusError').toBe(125);

    const version = await minidocker(undefined, ['version'], { env: { MINIDOCKER_HOST: host } });
    expect(version.stdout, 'version still prints the Client section — src/cli/commands/system.ts version').toMatch(/^Client:\n Version: /);
    expect(version.stdout, 'but no Server section').not.toContain('Server:');
    expect(version.stderr, 'then the error — src/cli/commands/system.ts version').toContain('Cannot connect to the minidocker daemon');
    expect(version.code, 'version without a daemon exits 1').toBe(1);
  });
});
