#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled into dist/ by `npm run build` (run by `npm ci` through `prepare`).
let main;
try {
  main = require('../dist/lib/cli/main.js').main;
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('pgsteward: the CLI is not built yet; run `npm run build` (npm ci does it for you).\n');
    process.exit(3);
  }
  throw err;
}
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
