/**
 * A stand-in for the daemon in lesson 14's adoption check, run as its own
 * process: binds the ports, starts the proxy of a running container, prints
 * one JSON line `{"pid": <proxy>, "mappings": […]}` and dies by SIGKILL, as
 * a daemon that crashed would.
 *
 *   node --import tsx proxy-parent.ts <src or solutions dir> <container dir> <container pid> <port>…
 *
 * each <port> as `127.0.0.1:0->80/tcp`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [tree = '', dir = '', pid = '', ...ports] = process.argv.slice(2);
const load = (module: string) => import(pathToFileURL(path.join(tree, 'runtime', module)).href);
const { bindPorts, parsePort } = (await load('host-ports.ts')) as typeof import('#kata/runtime/host-ports.js');
const { startPortProxy } = (await load('port-proxy.ts')) as typeof import('#kata/runtime/port-proxy.js');
const bound = await bindPorts(ports.map(parsePort));
const proxy = await startPortProxy(bound, { dir, pid: Number(pid) });
process.stdout.write(`${JSON.stringify({ pid: proxy.pid, mappings: proxy.mappings })}\n`, () => process.kill(process.pid, 'SIGKILL'));
