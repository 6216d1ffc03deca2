// The console is served by the gateway under /console/ and talks to the system only through
// @wellifiy/messaging-client (its browser entry, compiled from source; the contracts are types only).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export default defineConfig({
  root: here,
  base: '/console/',
  resolve: {
    alias: {
      '@wellifiy/messaging-client': path.join(root, 'libs/messaging-client/src/index.ts'),
      '@wellifiy/contracts': path.join(root, 'libs/contracts/src/index.ts'),
    },
  },
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.join(root, 'dist/apps/console'),
    emptyOutDir: true,
    sourcemap: true,
    // No inline scripts or styles: the gateway's Content-Security-Policy allows only same-origin files.
    assetsInlineLimit: 0,
  },
  server: { port: 4200 },
});
