/*
 * Lets a test start the real CLI from the TypeScript sources (`node -r <this> cli/unimatrix.ts …`), as
 * test/protocol/ts-require-hook.js does, but keeps each transpiled file in a cache keyed by its content:
 * the CLI loads every command (the CMA's too), and transpiling them all again for every child process
 * costs seconds of CPU on a shared machine. No type check here; the build does that.
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

// TypeScript itself takes a while to load: only on a cache miss.
let ts;
const typescript = () => (ts ??= require('typescript'));
const typescriptVersion = require('typescript/package.json').version;

const cacheDir = path.join(os.tmpdir(), `unimatrix-ts-cache-${process.getuid ? process.getuid() : 'user'}`);
fs.mkdirSync(cacheDir, { recursive: true });

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const key = crypto.createHash('sha256').update(typescriptVersion).update('\0').update(filename).update('\0').update(source).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, 'utf8');
  } catch {
    const t = typescript();
    output = t.transpileModule(source, {
      fileName: filename,
      compilerOptions: { module: t.ModuleKind.CommonJS, target: t.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    }).outputText;
    // Written under a temporary name, then renamed: a concurrent reader never sees half a file.
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
