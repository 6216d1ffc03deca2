// Builds the publishable @wellifiy/messaging-client into dist/libs/messaging-client: ESM (esm/) and
// CommonJS (cjs/), each with .d.ts, from two runs of tsc over libs/messaging-client/tsconfig.lib.json.
// tsc leaves import specifiers as written, so afterwards: ESM relative imports get their `.js` (Node's
// ESM loader and browsers need it); the contract types the client uses (type-only imports, so no
// runtime code) ship as declarations beside it and '@wellifiy/contracts' points at them.
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const lib = path.join(root, 'libs/messaging-client');
const out = path.join(root, 'dist/libs/messaging-client');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const rootPkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const started = Date.now();

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

async function rewrite(file, fn) {
  const before = await readFile(file, 'utf8');
  const after = fn(before);
  if (after !== before) await writeFile(file, after);
}

const RELATIVE = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+?)(['"])/g;

// Only what this script writes: build.mjs has put the SWC output of the library's sources in src/ beside it.
for (const part of ['esm', 'cjs', 'package.json', 'README.md']) await rm(path.join(out, part), { recursive: true, force: true });
for (const format of ['esm', 'cjs']) {
  const dir = path.join(out, format);
  const module = format === 'esm' ? ['--module', 'ES2022', '--moduleResolution', 'bundler'] : ['--module', 'CommonJS', '--moduleResolution', 'node'];
  execFileSync(process.execPath, [tsc, '-p', path.join(lib, 'tsconfig.lib.json'), '--outDir', dir, ...module], { stdio: 'inherit' });
  for await (const file of files(dir)) {
    const inContracts = file.startsWith(path.join(dir, 'contracts') + path.sep);
    // The client imports contracts for types only: their compiled JavaScript is never loaded.
    if (inContracts && /\.js(\.map)?$/.test(file)) {
      await rm(file);
      continue;
    }
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    await rewrite(file, (text) => {
      let t = text;
      if (file.endsWith('.js') && /require\(['"]@wellifiy\/contracts['"]\)|from ['"]@wellifiy\/contracts['"]/.test(t)) {
        throw new Error(`${path.relative(root, file)} loads @wellifiy/contracts at run time; import its types with \`import type\``);
      }
      if (file.endsWith('.d.ts')) {
        const contracts = path.relative(path.dirname(file), path.join(dir, 'contracts/src/index')).split(path.sep).join('/');
        t = t.replaceAll("'@wellifiy/contracts'", `'${contracts.startsWith('.') ? contracts : `./${contracts}`}${format === 'esm' ? '.js' : ''}'`);
        t = t.replace(/^import 'reflect-metadata';\n/m, '');
      }
      if (format === 'esm') t = t.replace(RELATIVE, (_m, a, spec, b) => (/\.(js|json)$/.test(spec) ? `${a}${spec}${b}` : `${a}${spec}.js${b}`));
      return t;
    });
  }
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ type: format === 'esm' ? 'module' : 'commonjs' }, null, 2)}\n`);
}

const entry = (format, name) => `./${format}/messaging-client/src/${name}`;
const pkg = {
  name: '@wellifiy/messaging-client',
  version: rootPkg.version,
  description: 'Typed TypeScript client of Wellifiy Messaging: REST, realtime with seq catch-up, offline queue, channel list and badge',
  license: rootPkg.license,
  sideEffects: false,
  main: entry('cjs', 'index.js'),
  module: entry('esm', 'index.js'),
  types: entry('cjs', 'index.d.ts'),
  exports: {
    '.': {
      import: { types: entry('esm', 'index.d.ts'), default: entry('esm', 'index.js') },
      require: { types: entry('cjs', 'index.d.ts'), default: entry('cjs', 'index.js') },
    },
    './node': {
      import: { types: entry('esm', 'node.d.ts'), default: entry('esm', 'node.js') },
      require: { types: entry('cjs', 'node.d.ts'), default: entry('cjs', 'node.js') },
    },
    './package.json': './package.json',
  },
  dependencies: { 'socket.io-client': rootPkg.devDependencies['socket.io-client'] },
};
await mkdir(out, { recursive: true });
await writeFile(path.join(out, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
await cp(path.join(lib, 'README.md'), path.join(out, 'README.md')).catch(() => undefined);
console.log(`built @wellifiy/messaging-client (esm + cjs) into ${path.relative(root, out)} in ${Date.now() - started} ms`);
