#!/usr/bin/env node
// Runs `npm ci` when node_modules is missing or older than package-lock.json, so that `npm run demo`
// and `npm test` work as the first commands on a fresh clone. Plain JavaScript: it runs before any
// dependency is installed.
'use strict';
const { existsSync, statSync } = require('node:fs');
const { execSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
if (stale) {
  process.stderr.write('installing dependencies (npm ci)...\n');
  try {
    execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  } catch {
    // npm 11 can refuse its own lock file over other platforms' optional packages; `npm install`
    // installs the same locked versions.
    execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
  }
}
