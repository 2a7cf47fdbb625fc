// Vite builds the UI into web/dist, which src/api/plugins/web.ts serves. Preact's JSX through Vite's own
// transformer (oxc): no framework plugin, so nothing with install scripts or Babel in the toolchain.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // The bundle is small; a single chunk keeps the served files few and the cache rules simple.
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
