#!/usr/bin/env node
'use strict';
// The `twofold` command: runs the built CLI (npm run build).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(main)) {
  process.stderr.write(`twofold: internal: ${main} is missing; run \`npm run build\` first\n`);
  process.exit(1);
}
require(main);
