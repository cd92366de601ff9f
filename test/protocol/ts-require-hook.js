/*
 * Lets a child process started by a test run TypeScript sources directly (`node -r <this> x.ts`),
 * as jest does for the test itself: each .ts file is transpiled on load (no type check; the build
 * does that). Used for tests that need a real separate process, e.g. one killed with SIGKILL.
 */
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const output = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(output.outputText, filename);
};
