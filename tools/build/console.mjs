// Builds the web console (apps/console, Vite + React) into dist/apps/console, served by the gateway at /console/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started = Date.now();
// A build run from a test (NODE_ENV=test) would otherwise bundle React's development build.
process.env.NODE_ENV = 'production';
await build({ configFile: path.join(root, 'apps/console/vite.config.mjs'), logLevel: 'warn' });
console.log(`built the console into dist/apps/console in ${Date.now() - started} ms`);
