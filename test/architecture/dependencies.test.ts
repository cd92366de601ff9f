import path from 'node:path';
import { checkDependencies, importsOf, sourcesUnder } from './dependency-rules';

describe('dependencies between the top-level folders', () => {
  it('hold in this repository: protocol/ and common/ know no daemon, the daemons never import each other', () => {
    const root = path.resolve(__dirname, '..', '..');
    const files = sourcesUnder(root);
    expect(files.length).toBeGreaterThan(100);
    expect(checkDependencies(files)).toEqual([]);
  });

  it('catch a wrong-way import, and allow what the rules allow', () => {
    const violations = checkDependencies([
      { file: path.join('protocol', 'codec.ts'), source: "import { x } from '../cma/membership/membership';" },
      { file: path.join('cma', 'discovery', 'x.ts'), source: "import { y } from '../../nanoprobe/discovery/envelope';\nimport { z } from '../../protocol/codec';" },
      { file: path.join('nanoprobe', 'a.ts'), source: "const c = require('../cma/config/cma-config');" },
      { file: path.join('common', 'b.ts'), source: "export { w } from '../protocol/errors';" },
      { file: path.join('protocol', 'd.ts'), source: "import { formatIssues } from '../common/zod-issues';" },
      { file: path.join('nanoprobe', 'a.test.ts'), source: "import { waitFor } from '../test/support/wait-for';" },
      { file: path.join('cli', 'c.ts'), source: "import '../cma/cma-service';" },
      { file: path.join('agent', 'e.ts'), source: "import { x } from '../nanoprobe/daemon';" },
      { file: path.join('nanoprobe', 'f.ts'), source: "import { y } from '../agent/cma-link';" },
    ]);
    expect(violations.map((v) => `${v.file} → ${v.to}`)).toEqual([
      `${path.join('protocol', 'codec.ts')} → cma`,
      `${path.join('cma', 'discovery', 'x.ts')} → nanoprobe`,
      `${path.join('nanoprobe', 'a.ts')} → cma`,
      `${path.join('common', 'b.ts')} → protocol`,
      `${path.join('agent', 'e.ts')} → nanoprobe`,
    ]);
  });

  it('read import, export-from, dynamic import and require specifiers', () => {
    expect(importsOf("import a from './a';\nexport * from \"../b\";\nconst c = await import('./c');\nrequire('../d');\nimport 'node:fs';")).toEqual(['./a', '../b', './c', '../d']);
  });
});
