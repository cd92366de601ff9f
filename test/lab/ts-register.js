/**
 * `node -r test/lab/ts-register.js some/file.ts …` runs the project's TypeScript sources directly,
 * transpiled one file at a time (like ts-jest with isolatedModules; no type check). Lab tests use it
 * to start the real daemons from sources inside namespaces without a prior `npm run build`.
 * Transpiled output is cached by content hash, so the second and later processes (six nanoprobes
 * in one lab) neither load the compiler nor transpile again.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const cacheDir = path.join(os.tmpdir(), 'unimatrix-ts-cache');
// Part of the key, so a compiler upgrade never serves output of the old one.
const compilerVersion = require('typescript/package.json').version;
let ts; // loaded only on a cache miss: the compiler alone takes a noticeable time to load

function transpile(source, filename) {
  ts ??= require('typescript');
  const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(`${compilerVersion}\0${filename}\0`).update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    output = transpile(source, filename);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const temp = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(temp, output);
      fs.renameSync(temp, cached); // atomic: concurrent processes never read half a file
    } catch {
      // A cache that cannot be written only costs time.
    }
  }
  module._compile(output, filename);
};
