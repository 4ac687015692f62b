import { join } from 'node:path';
import { importCycles, importGraph } from './import-graph';

// No import circles under apps/ and libs/ (issue 13): a circle means two files can only be read,
// moved or split together. Type-only imports count too. Specs and testing/ folders are not scanned.
const ROOT = join(__dirname, '../..');

describe('the import graph has no circles', () => {
  it('finds a circle when there is one (fixture), naming its files in order', () => {
    const graph = importGraph(ROOT, ['test/lint/fixtures/import-cycle']);
    expect(graph.size).toBe(4);
    expect(importCycles(graph)).toEqual([[
      'test/lint/fixtures/import-cycle/a.ts',
      'test/lint/fixtures/import-cycle/b.ts',
      'test/lint/fixtures/import-cycle/c.ts',
      'test/lint/fixtures/import-cycle/a.ts',
    ]]);
  });

  it('reads @twofold/* imports as the library they name', () => {
    const graph = importGraph(ROOT, ['libs/commands']);
    const targets = [...graph.values()].flat();
    expect(targets).toContain('libs/domain/src/index.ts');
  });

  it('has none under apps/ and libs/', () => {
    const graph = importGraph(ROOT, ['apps', 'libs']);
    expect(graph.size).toBeGreaterThan(100);
    const circles = importCycles(graph).map((circle) => circle.join(' -> '));
    expect(circles).toEqual([]);
  });
});
