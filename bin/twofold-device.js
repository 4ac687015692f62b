#!/usr/bin/env node
'use strict';
// The `twofold-device` command (a reference mobile-app device): runs the built app (npm run build).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'device', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`twofold-device: internal: ${main} is missing; run \`npm run build\` first\n`);
  process.exit(1);
}
require(main);
