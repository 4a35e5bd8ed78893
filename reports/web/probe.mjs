// probe.mjs - what a codesim report page actually drew, for the report test
// (tests/test_sweep.c).  Opens PAGE in Debian's headless chromium through
// playwright-core, waits until every plot is drawn, saves a full-page
// screenshot to PNG (and each plot to plot-NAME.png beside it), and prints
// one JSON line:
//   {"rendered": "yes"|"error"|"", "errors": [...],
//    "plots": {NAME: {"symbol": N, "rect": N, "line": N, "text": N, "rule": N}}}
// counting the marks in each plot's rendered SVG that have a size on screen
// (axes, legends and titles are not marks).  A plot is a <figure data-plot>
// (Vega's SVG: items of its role-mark groups); a page without them (the
// hand-written SVG report before Vega-Lite) is read as its <svg> elements,
// each named by the <h2> before it, counting circle, rect and polyline.
// Usage: node probe.mjs PAGE PNG
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const [page_path, png] = process.argv.slice(2);
if (!page_path || !png) {
  console.error('usage: node probe.mjs PAGE PNG');
  process.exit(2);
}
// Flags for a closed network and a root user (see the machine notes).
const profile = mkdtempSync(join(tmpdir(), 'codesim-probe-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1280, height: 900 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = browser.pages()[0] || (await browser.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e.message)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(resolve(page_path)).href, { waitUntil: 'load' });
  const vega = await page.evaluate(() => document.querySelectorAll('figure[data-plot]').length);
  if (vega > 0)
    await page.waitForFunction(() => document.body.dataset.rendered, null, { timeout: 60000 });
  const result = await page.evaluate(() => {
    const sized = (el) => {
      const b = el.getBBox ? el.getBBox() : el.getBoundingClientRect();
      return b.width > 0 || b.height > 0;
    };
    const plots = {};
    const figs = document.querySelectorAll('figure[data-plot]');
    if (figs.length) {
      for (const f of figs) {
        const c = { symbol: 0, rect: 0, line: 0, text: 0, rule: 0, area: 0 };
        for (const g of f.querySelectorAll('svg g.role-mark')) {
          if (g.closest('.role-axis, .role-legend, .role-title'))
            continue;
          const type = [...g.classList].find((k) => k.startsWith('mark-'));
          const key = type && type.slice(5);
          if (!(key in c)) continue;
          for (const item of g.children)
            if (sized(item)) c[key]++;
        }
        plots[f.dataset.plot] = c;
      }
    } else {
      for (const svg of document.querySelectorAll('svg')) {
        let h = null;
        for (const e of document.querySelectorAll('h2'))
          if (e.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING) h = e;
        const name = h ? h.textContent.trim().split(/[\s:]+/)[0].toLowerCase() : 'plot';
        const c = plots[name] || { symbol: 0, rect: 0, line: 0, text: 0, rule: 0, area: 0 };
        for (const e of svg.querySelectorAll('circle')) if (sized(e)) c.symbol++;
        for (const e of svg.querySelectorAll('rect')) if (sized(e)) c.rect++;
        for (const e of svg.querySelectorAll('polyline')) if (sized(e)) c.line++;
        plots[name] = c;
      }
    }
    return { rendered: document.body.dataset.rendered || '',
             errors: (window.codesimErrors || []).slice(), plots };
  });
  result.errors.push(...errors);
  await page.screenshot({ path: png, fullPage: true });
  // Each plot alone too, beside the page: PNGDIR/plot-NAME.png.
  for (const name of Object.keys(result.plots)) {
    const fig = page.locator(`figure[data-plot="${name}"]`);
    if (await fig.count())
      await fig.screenshot({ path: join(dirname(png), `plot-${name}.png`) });
  }
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
