// Compiles every app and lib to dist/ with SWC (type checking is `npm run typecheck`), and makes the
// @wellifiy/* path aliases resolvable at run time through tiny packages in dist/node_modules.
import { transformFile } from '@swc/core';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const out = path.join(root, 'dist');
const swcrc = JSON.parse(await readFile(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(full);
    else if (entry.name.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec|faults-spec|fuzz-spec|fakes)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const started = Date.now();
await rm(out, { recursive: true, force: true });
let count = 0;
const libs = (await readdir(path.join(root, 'libs'))).sort();
for (const top of ['apps', 'libs', 'bench', 'faults', 'fuzz']) {
  // bench/, faults/ and fuzz/ are projects themselves (<top>/src); apps/ and libs/ hold one project per folder.
  const projects = ['bench', 'faults', 'fuzz'].includes(top) ? [''] : await readdir(path.join(root, top));
  for (const project of projects) {
    // The web console is a browser app: Vite builds it (console.mjs, below), not SWC.
    if (top === 'apps' && project === 'console') continue;
    const src = path.join(root, top, project, 'src');
    try {
      await readdir(src);
    } catch {
      continue;
    }
    for await (const file of sources(src)) {
      const rel = path.relative(root, file);
      const target = path.join(out, rel.replace(/\.ts$/, '.js'));
      const { code, map } = await transformFile(file, { ...swcrc, swcrc: false, filename: file, sourceFileName: path.relative(path.dirname(target), file) });
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
      if (map) await writeFile(`${target}.map`, map);
      count++;
    }
  }
}
for (const lib of libs) {
  const dir = path.join(out, 'node_modules', '@wellifiy', lib);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.js'), `module.exports = require('../../../libs/${lib}/src/index.js');\n`);
}
console.log(`built ${count} files into dist/ in ${Date.now() - started} ms`);

// The publishable front-end client: ESM + CommonJS with types (its own script: it runs tsc, not SWC).
await import('./messaging-client.mjs');
// The web console (Vite + React) into dist/apps/console, which the gateway serves at /console/.
await import('./console.mjs');
