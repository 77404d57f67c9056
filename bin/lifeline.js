#!/usr/bin/env node
// Runs the compiled CLI (npm run build). `npm start` builds first.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const entry = join(__dirname, '..', 'dist', 'cli', 'index.js');
if (!existsSync(entry)) {
  process.stderr.write('lifeline is not built yet: run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
// main() resolves with the exit code when the command is done (for `up`, after a clean shutdown): exit
// then, rather than waiting for idle keep-alive sockets.
require(entry)
  .main()
  .then((code) => process.exit(code));
