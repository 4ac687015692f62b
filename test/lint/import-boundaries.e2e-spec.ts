import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Runs the repository's own ESLint config (what `npm run lint` runs) on small sources placed, by
// file name only, in a layer. Nothing is written into the tree, so `npm run lint` of the repo is
// unaffected. ESLint loads its flat config with import(), which jest's VM cannot host: a child
// Node process does the linting and prints the messages per case.
const ROOT = join(__dirname, '../..');

interface Case { file: string; code: string }

const LINT_CASES = `
const { ESLint } = require('eslint');
const cases = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const out = [];
  for (const c of cases) {
    const [result] = await eslint.lintText(c.code, { filePath: c.file });
    out.push(result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(2); });
`;

async function lint(cases: Case[]): Promise<string[][]> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', LINT_CASES, JSON.stringify(cases)], { cwd: ROOT, timeout: 100_000 });
  return JSON.parse(stdout) as string[][];
}

const use = (from: string) => `import { x } from '${from}';\nexport const y = x;\n`;

describe('lint guards the layers (DESIGN.md)', () => {
  const refused: Array<[string, string, string, RegExp]> = [
    ['the domain reaching the network (node: prefix)', 'libs/domain/src/users/x.ts', 'node:net', /domain stays pure/],
    ['the domain reaching the network (bare name)', 'libs/domain/src/users/x.ts', 'net', /domain stays pure/],
    ['the domain reading files', 'libs/domain/src/x.ts', 'node:fs/promises', /domain stays pure/],
    ['the domain using a framework', 'libs/domain/src/x.ts', '@nestjs/common', /domain stays pure/],
    ['the domain importing the log', 'libs/domain/src/x.ts', '@twofold/event-store', /libs\/domain may import no other library/],
    ['the log importing the read model', 'libs/event-store/src/x.ts', '@twofold/read-model', /libs\/event-store may import domain, platform/],
    ['the read model importing the write side', 'libs/read-model/src/testing/x.ts', '@twofold/commands', /libs\/read-model may import/],
    ['the write side importing a protocol', 'libs/commands/src/x.ts', '@twofold/radius', /libs\/commands may import/],
    ['one protocol importing another', 'libs/radius/src/x.ts', '@twofold/sdk', /libs\/radius may import/],
    ['one protocol reaching into another by a relative path', 'libs/replication/src/slave/x.ts', '../../../radius/src/server/radius-server', /libs\/replication may import/],
    ['the SDK client importing the server stack', 'libs/sdk-client/src/x.ts', '@twofold/domain', /libs\/sdk-client may import no other library/],
    ['platform importing the log', 'libs/platform/src/x.ts', '@twofold/event-store', /libs\/platform may import domain/],
    ['a library importing an app', 'libs/mfa/src/x.ts', '../../../apps/server/src/main', /never imports an app/],
    ['an app importing another app', 'apps/cli/src/commands/x.ts', '../../../server/src/node/node-runtime', /never imports another app/],
  ];
  const allowed: Array<[string, string, string]> = [
    ['the domain using crypto', 'libs/domain/src/x.ts', 'node:crypto'],
    ['the write side using the read model', 'libs/commands/src/x.ts', '@twofold/read-model'],
    ['the read model using the log', 'libs/read-model/src/x.ts', '@twofold/event-store'],
    ['a protocol using the write side', 'libs/sdk/src/x.ts', '@twofold/commands'],
    ['the SDK serving its client\'s wire types', 'libs/sdk/src/x.ts', '@twofold/sdk-client'],
    ['replication using platform', 'libs/replication/src/x.ts', '@twofold/platform'],
    ['the server using a protocol', 'apps/server/src/x.ts', '@twofold/radius'],
  ];
  let refusedResults: string[][];
  let allowedResults: string[][];

  beforeAll(async () => {
    const all = await lint([...refused, ...allowed].map(([, file, from]) => ({ file: join(ROOT, file), code: use(from) })));
    refusedResults = all.slice(0, refused.length);
    allowedResults = all.slice(refused.length);
  });

  it.each(refused.map((c, i) => [...c, i] as const))('refuses %s', (_name, _file, _from, message, i) => {
    expect(refusedResults[i]).toHaveLength(1);
    expect(refusedResults[i][0]).toMatch(message);
  });

  it.each(allowed.map((c, i) => [...c, i] as const))('allows %s', (_name, _file, _from, i) => {
    expect(allowedResults[i]).toEqual([]);
  });
});
