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
  // For work on the UI itself (`npx vite --config ui/vite.config.mts`): pages reload on save, the API is a running
  // fleet server's.
  server: {
    proxy: { '/api': process.env.FLEET_API_URL ?? 'http://127.0.0.1:8700' },
  },
});
