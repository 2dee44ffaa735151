#!/usr/bin/env node
// minidocker: the client. See lessons/01-client-transport and lessons/02-client-commands.
import { launch } from './launch.js';

await launch('cli/main.ts');
