// Vite builds the UI into frontend/dist (embedded by embed.go); Vitest runs
// the unit tests in src/*.test.ts. `npm run dev` proxies /api to a running
// `threadmap serve` (THREADMAP_API, default http://127.0.0.1:8080).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const dist = fileURLToPath(new URL('./dist/', import.meta.url));

// dist/.gitkeep is tracked: clean only what the build writes, keep the placeholder.
function cleanDist(): Plugin {
  return {
    name: 'threadmap-clean-dist',
    apply: 'build',
    buildStart() {
      rmSync(dist + 'assets', { recursive: true, force: true });
      rmSync(dist + 'index.html', { force: true });
      mkdirSync(dist, { recursive: true });
      writeFileSync(dist + '.gitkeep', '');
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [cleanDist()],
  build: {
    outDir: dist,
    emptyOutDir: false,
    target: 'es2022',
    chunkSizeWarningLimit: 1200,
    assetsInlineLimit: 0,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.THREADMAP_API ?? 'http://127.0.0.1:8080' },
  },
  test: {
    root,
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
