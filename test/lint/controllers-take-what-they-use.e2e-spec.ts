import { join } from 'node:path';
import { importGraph } from './import-graph';

// Each controller gets only the pieces it uses (issue 13): CommandService, ReadModelQueries,
// ClusterRole, NodeProgress, the NODE_CONFIG / DATA_DIR / ... tokens (apps/server/src/app.module.ts),
// never the whole node runtime. A controller importing node-runtime.ts or node-services.ts is one
// that reaches for all of it.
const ROOT = join(__dirname, '../..');
const WHOLE_RUNTIME = ['apps/server/src/node/node-runtime.ts', 'apps/server/src/node/node-services.ts'];

function controllersTakingTheRuntime(dirs: string[]): string[] {
  return [...importGraph(ROOT, dirs)]
    .filter(([file, targets]) => file.endsWith('.controller.ts') && targets.some((target) => WHOLE_RUNTIME.includes(target)))
    .map(([file]) => file);
}

describe('controllers take only what they use', () => {
  it('finds a controller that takes the whole runtime (fixture)', () => {
    expect(controllersTakingTheRuntime(['test/lint/fixtures/controller-with-runtime'])).toEqual([
      'test/lint/fixtures/controller-with-runtime/whole-runtime.controller.ts',
    ]);
  });

  it('finds none under apps/ and libs/', () => {
    const controllers = [...importGraph(ROOT, ['apps', 'libs']).keys()].filter((file) => file.endsWith('.controller.ts'));
    expect(controllers.length).toBeGreaterThan(20);
    expect(controllersTakingTheRuntime(['apps', 'libs'])).toEqual([]);
  });
});
