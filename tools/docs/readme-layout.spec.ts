/* The README's Layout section is the newcomer's map: every folder it names exists, and every app, library and
 * top-level folder of the tree is on it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The entries of the Layout section's code block: `apps/x/`, `libs/y/` and top-level `z/` or files. */
function layoutEntries(readme: string): string[] {
  const block = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error('README has no Layout code block');
  const entries: string[] = [];
  let parent = '';
  for (const line of block.split('\n').filter((l) => l.trim())) {
    const indented = /^\s/.test(line);
    const names = line.trim().split(/\s{2,}/)[0].split(/\s+/);
    if (!indented) {
      parent = names[0].endsWith('/') && line.trim() === names[0] ? names[0] : '';
      entries.push(...names.map((n) => n.replace(/\/$/, '')));
    } else entries.push(`${parent}${names[0].replace(/\/$/, '')}`);
  }
  return entries;
}

const dirs = (dir: string): string[] =>
  readdirSync(path.join(ROOT, dir), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `${dir}/${d.name}`);

describe('README Layout', () => {
  const entries = layoutEntries(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

  it('names only what exists', () => {
    expect(entries.filter((e) => !existsSync(path.join(ROOT, e)))).toEqual([]);
  });

  it('names every app, every library and every top-level folder of the tree', () => {
    const topLevel = readdirSync(ROOT, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !['node_modules', 'dist', 'reports', 'tmp', 'coverage'].includes(d.name))
      .map((d) => d.name);
    const wanted = [...dirs('apps'), ...dirs('libs'), ...topLevel.filter((d) => d !== 'apps' && d !== 'libs')];
    expect(wanted.filter((w) => !entries.includes(w))).toEqual([]);
  });
});
