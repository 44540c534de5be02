// Stress measurement: a synthetic mesh (/?stress=N, built client-side) in
// Debian's Chromium. Prints time to first render and the frame rate while
// panning. Usage: node frontend/e2e/stress.mjs [N ...] (default 2000).
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { launch, onlyLoopback, staticServer } from './lib.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = root + 'frontend/dist';
const outDir = root + 'test-results/stress';
if (!existsSync(dist + '/index.html')) {
  console.error('stress: frontend/dist/index.html missing; run `npm run build` first');
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
// Each size is measured twice: as the UI runs it (viewport texture while
// panning for ≥1000 nodes) and with every element redrawn each frame.
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (!sizes.length) sizes.push(2000);
const runs = sizes.flatMap((n) => [{ n, texture: n >= 1000 ? 1 : 0 }, ...(n >= 1000 ? [{ n, texture: 0 }] : [])]);

const server = await staticServer(dist);
const browser = await launch({ width: 1280, height: 800 });
const results = [];
try {
  for (const { n, texture } of runs) {
    const page = await browser.context.newPage();
    const outside = await onlyLoopback(browser.context, server.url);
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.url}?stress=${n}&texture=${texture}`);
    await page.waitForFunction(() => window.__threadmap?.ready === true, null, { timeout: 120000 });
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { ...window.__threadmap.metrics, domContentLoaded: nav ? nav.domContentLoadedEventEnd : null };
    });
    // Pan for 3 s: one panBy per animation frame, count frames and their gaps.
    const pan = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const cy = window.__threadmap.cy;
          cy.fit();
          const times = [];
          const t0 = performance.now();
          let dir = 1;
          const step = (t) => {
            times.push(t);
            if (t - t0 > 3000) {
              const gaps = times.slice(1).map((x, i) => x - times[i]).sort((a, b) => a - b);
              resolve({
                frames: times.length,
                seconds: (times[times.length - 1] - times[0]) / 1000,
                fps: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000),
                p50ms: gaps[Math.floor(gaps.length * 0.5)],
                p95ms: gaps[Math.floor(gaps.length * 0.95)],
                maxms: gaps[gaps.length - 1],
              });
              return;
            }
            if (times.length % 90 === 0) dir = -dir;
            cy.panBy({ x: 6 * dir, y: 3 * dir });
            requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        }),
    );
    await page.screenshot({ path: `${outDir}/stress-${n}-texture${texture}.png` });
    const r = {
      viewportTexture: texture === 1,
      nodes: m.nodes,
      edges: m.edges,
      firstRenderMs: Math.round(m.firstRenderMs),
      layoutMs: Math.round(m.layoutMs),
      breakdownMs: Object.fromEntries(['prepareMs', 'routerLayoutMs', 'placeMs', 'drawMs'].map((k) => [k.replace('Ms', ''), Math.round(m[k])])),
      domContentLoadedMs: Math.round(m.domContentLoaded),
      panFps: Number(pan.fps.toFixed(1)),
      frameP50ms: Number(pan.p50ms.toFixed(1)),
      frameP95ms: Number(pan.p95ms.toFixed(1)),
      frameMaxMs: Number(pan.maxms.toFixed(1)),
      outsideRequests: outside.length,
      errors: errors.length,
    };
    results.push(r);
    console.log(`stress ${n}${texture ? '' : ' (no viewport texture)'}: ${JSON.stringify(r)}`);
    if (errors.length) console.error(errors.join('\n'));
    await page.close();
    if (r.nodes !== n || errors.length || outside.length) process.exitCode = 1;
  }
} finally {
  await browser.close();
  await server.close();
}
console.log(`stress: screenshots in ${outDir}`);
