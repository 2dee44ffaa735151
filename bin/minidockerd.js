#!/usr/bin/env node
// minidockerd: the daemon. See lessons/03-daemon-server.
import { launch } from './launch.js';

await launch('daemon/main.ts');
