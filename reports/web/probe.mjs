// probe.mjs - what a codesim report page actually drew, for the report test
// (tests/test_sweep.c).  Opens PAGE in Debian's headless chromium through
// playwright-core, waits until every plot is drawn, saves a full-page
// screenshot to PNG (and each plot to plot-NAME.png beside it), and prints
// one JSON line:
//   {"rendered": "yes"|"error"|"", "errors": [...],
//    "plots": {NAME: {"symbol": N, "rect": N, "line": N, "text": N, "rule": N}},
//    "tables": {CSV: {"need": PX, "box": PX, "right": PX, "hint": TEXT}},
//    "page": {"width": PX, "viewport": PX},
//    "looks": {NAME: {"PATH|FILL|STROKE|FILL-OPACITY": [ARRAY, ...]}}}
// counting the marks in each plot's rendered SVG that have a size on screen
// (axes, legends and titles are not marks).  A plot is a <figure data-plot>
// (Vega's SVG: items of its role-mark groups); a page without them (the
// hand-written SVG report before Vega-Lite) is read as its <svg> elements,
// each named by the <h2> before it, counting circle, rect and polyline.
// tables says how wide each table is against its box; looks groups each
// plot's symbols by how they look, with the array shapes (datum.array, from
// the mark's aria-label) drawn that way: two array shapes in one group look
// alike.
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
    // Each table: the width it needs against the width of its box (a
    // table wider than its box has to be scrolled sideways), by the csv
    // file its heading links to.
    const tables = {};
    for (const d of document.querySelectorAll('div.tbl')) {
      const t = d.querySelector('table');
      const h = d.previousElementSibling;
      const a = h && h.querySelector('a');
      const name = a ? a.getAttribute('href') : 'table';
      const hint = h && h.querySelector('.hint');
      tables[name] = { need: t ? t.scrollWidth : 0, box: d.clientWidth,
                       right: Math.round(d.getBoundingClientRect().right),
                       hint: hint ? hint.textContent.trim() : '' };
    }
    // Plot marks by how they look: for each plot, the distinct looks (shape
    // path, fill, stroke) of its symbols, each with the values of the field
    // its legend names (datum.array when the spec has one) drawn with it.
    const looks = {};
    for (const [name, view] of Object.entries(window.codesimViews || {})) {
      const fig = document.querySelector(`figure[data-plot="${name}"]`);
      const seen = {};
      for (const g of fig.querySelectorAll('svg g.role-mark.mark-symbol')) {
        if (g.closest('.role-axis, .role-legend, .role-title')) continue;
        for (const item of g.children) {
          if (!sized(item)) continue;
          const key = [item.getAttribute('d') || '', item.getAttribute('fill') || '',
                       item.getAttribute('stroke') || '',
                       item.getAttribute('fill-opacity') || ''].join('|');
          const label = item.getAttribute('aria-label') || '';
          const m = /array: ([^;]+)/.exec(label);
          (seen[key] = seen[key] || new Set()).add(m ? m[1].trim() : '');
        }
      }
      looks[name] = Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]]));
    }
    return { rendered: document.body.dataset.rendered || '',
             errors: (window.codesimErrors || []).slice(), plots, tables,
             page: { width: document.documentElement.scrollWidth, viewport: window.innerWidth },
             looks };
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
