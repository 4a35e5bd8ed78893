// figures.mjs - static figures for papers: every DIR/NAME.vl.json (a
// Vega-Lite spec with its data, written by codesim report) rendered by Vega
// in node to DIR/NAME.svg, and to DIR/NAME.pdf by rsvg-convert (Debian
// librsvg2-bin) when it is installed.  Usage: node figures.mjs DIR [NAME...]:
// with NAMEs, only DIR/NAME.vl.json of those (codesim report passes the plots
// it wrote, so an older report's specs in DIR are not drawn again).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node figures.mjs DIR');
  process.exit(2);
}
let pdf = true;
const names = process.argv.slice(3);
const files = names.length ? names.map((n) => n + '.vl.json')
                           : readdirSync(dir).filter((f) => f.endsWith('.vl.json')).sort();
for (const f of files) {
  const name = f.slice(0, -'.vl.json'.length);
  const spec = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const out = join(dir, name + '.svg');
  writeFileSync(out, svg);
  if (pdf) {
    try {
      execFileSync('rsvg-convert', ['-f', 'pdf', '-o', join(dir, name + '.pdf'), out],
                   { stdio: ['ignore', 'ignore', 'inherit'] });
    } catch (e) {
      if (e.code === 'ENOENT') pdf = false;
      else throw e;
    }
  }
}
