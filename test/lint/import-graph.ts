import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

// The import graph of the sources (not specs, not testing/ folders): relative imports and
// @twofold/* (tsconfig paths: @twofold/x is libs/x/src), `import type` and `export ... from`
// included, since a circle of types is still a circle for whoever reads or moves the code.
export type ImportGraph = Map<string, string[]>;

const isSource = (name: string) => name.endsWith('.ts') && !name.endsWith('.d.ts') && !/\.(e2e-)?spec\.ts$/.test(name);

function sourcesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'testing' || name === 'node_modules' ? [] : sourcesUnder(path);
    return isSource(name) ? [path] : [];
  });
}

function resolveFile(base: string): string | undefined {
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

function resolveImport(root: string, from: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) return resolveFile(resolve(dirname(from), specifier));
  const lib = /^@twofold\/([^/]+)(\/.*)?$/.exec(specifier);
  if (lib) return resolveFile(join(root, 'libs', lib[1], 'src', lib[2] ?? ''));
  return undefined; // a package or a node: builtin
}

// Files (relative to root, / separated) to the files they import, for every source under dirs.
export function importGraph(root: string, dirs: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  const name = (path: string) => relative(root, path).split('\\').join('/');
  for (const file of dirs.flatMap((dir) => sourcesUnder(join(root, dir)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map(({ fileName }) => resolveImport(root, file, fileName))
      .filter((target): target is string => target !== undefined && isSource(target));
    graph.set(name(file), [...new Set(targets.map(name))].sort());
  }
  return graph;
}

// Every import circle, once each, as the files around it (first file repeated at the end).
// One circle per strongly connected component (Tarjan), the shortest back to its first file.
export function importCycles(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next); low.set(node, next); next += 1;
    stack.push(node); onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) { visit(to); low.set(node, Math.min(low.get(node)!, low.get(to)!)); }
      else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do { member = stack.pop()!; onStack.delete(member); component.push(member); } while (member !== node);
      const selfImport = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfImport) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => shortestCircle(graph, component));
}

function shortestCircle(graph: ImportGraph, component: string[]): string[] {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(to)) { previous.set(to, node); queue.push(to); }
    }
  }
  return [start, start];
}
