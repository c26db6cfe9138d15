import { defineConfig } from 'vite';

/**
 * The web UI, built into dist/ui next to the compiled fleet, whose server serves it (no server of its own). Paths are
 * relative to the package root, where `npm run build` runs.
 */
export default defineConfig({
  root: 'ui',
  // Absolute asset URLs: the server answers every page path (/providers/12, ...) with the same index.html.
  base: '/',
  build: {
    outDir: '../dist/ui',
    emptyOutDir: true,
    sourcemap: true,
  },
});
