#!/usr/bin/env node
// minidocker-registry: the OCI distribution registry. See lessons/07-registry-server.
import { launch } from './launch.js';

await launch('registry/main.ts');
