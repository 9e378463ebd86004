#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled into dist/ by `npm run build` (npm ci runs it through `prepare`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'lib', 'cli', 'entry.js');
if (!existsSync(entry)) {
  process.stderr.write('pgsteward: the CLI is not built yet; run `npm run build` (npm ci does it for you).\n');
  process.exit(3);
}
require(entry);
