/* The feature folders depend on each other in one direction only (new-message and preferences on top, then jobs,
 * digest and push, then read-state, then the settings and recipients stores): a cycle between folders fails here. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = __dirname;

/** folder → the sibling folders its production files import (tests and the testing/ fakes left out). */
function folderImports(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const entry of readdirSync(SRC, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'testing') continue;
    const deps = new Set<string>();
    for (const file of readdirSync(path.join(SRC, entry.name))) {
      if (!file.endsWith('.ts') || /\.(int-)?spec\.ts$/.test(file)) continue;
      const text = readFileSync(path.join(SRC, entry.name, file), 'utf8');
      for (const [, dep] of text.matchAll(/from '\.\.\/([^/']+)\//g)) if (dep !== entry.name) deps.add(dep);
    }
    graph.set(entry.name, deps);
  }
  return graph;
}

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const visit = (node: string, trail: string[]): void => {
    const at = trail.indexOf(node);
    if (at >= 0) return void found.push([...trail.slice(at), node]);
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
  };
  for (const node of graph.keys()) visit(node, []);
  return found;
}

describe('notifications folders', () => {
  it('import each other without cycles', () => {
    const graph = folderImports();
    expect(graph.get('new-message')).toEqual(new Set(['digest', 'push', 'read-state']));
    expect(cycles(graph)).toEqual([]);
  });

  it('the check sees a cycle when there is one', () => {
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set(['a'])]]))).not.toEqual([]);
  });
});
