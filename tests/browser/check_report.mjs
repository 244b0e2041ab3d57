#!/usr/bin/env node
// Browser check of self-contained HTML reports: opens each file in headless Chromium
// (through playwright-core) and fails on console errors/warnings, page errors, any request
// that would leave the file (anything but file:, data:, blob:, about:), failed requests,
// missing or unrendered <svg> charts, broken <img>s and a blank screenshot.
//
// Usage: node tests/browser/check_report.mjs REPORT.html [REPORT2.html ...]
// Normally called through tests/browser/run.sh, which installs Chromium and playwright-core.
//
// Environment:
//   BROWSER_CHECK_CHROMIUM  Chromium binary (default /usr/bin/chromium)
//   BROWSER_CHECK_MODULES   directory whose node_modules holds playwright-core
//                           (default: <repo>/target/browser-check, as installed by run.sh)
//
// Output: one line per file, `ok  FILE  (N charts, screenshot: PATH)` or `FAIL FILE: reasons`;
// exit 1 if any file fails, 2 on a usage or set-up error.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const modulesDir = process.env.BROWSER_CHECK_MODULES || path.join(repoRoot, 'target', 'browser-check');
const executablePath = process.env.BROWSER_CHECK_CHROMIUM || '/usr/bin/chromium';

// Flags this machine needs; Playwright also gives every launch a fresh, empty temporary
// --user-data-dir of its own (it refuses one in args), removed when the browser closes.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const NAV_TIMEOUT_MS = 30_000;
const SETTLE_MS = 300; // after load: lets late timers/console messages arrive
const LOCAL_SCHEMES = new Set(['file:', 'data:', 'blob:', 'about:']);
const DRAWN = 'path,polyline,polygon,rect,line,circle,ellipse,text,use,image';

function die(msg) {
  console.error(`check_report: ${msg}`);
  process.exit(2);
}

function loadPlaywright() {
  const req = createRequire(path.join(modulesDir, 'package.json'));
  try {
    return req('playwright-core');
  } catch (e) {
    die(`cannot load playwright-core from ${modulesDir}/node_modules (${e.code || e.message}); ` +
      'run tests/browser/run.sh, which installs it');
  }
}

function short(s, n = 200) {
  s = String(s).replace(/\s+/g, ' ').trim();
  return s.length > n ? s.slice(0, n) + '…' : s;
}

function schemeOf(url) {
  try {
    return new URL(url).protocol;
  } catch {
    return '?';
  }
}

// Decodes a PNG in a blank page of its own and counts distinct colours (each channel
// quantised to 16 levels, so PNG/antialiasing noise does not count) over the whole image
// and within each region; stops counting at 2 (all that is asked is "more than one colour").
async function colourCounts(browser, png, regions) {
  const ctx = await browser.newContext();
  try {
    const page = await ctx.newPage();
    return await page.evaluate(async ({ b64, regions }) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const bmp = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const g = canvas.getContext('2d', { willReadFrequently: true });
      g.drawImage(bmp, 0, 0);
      const count = (x, y, w, h) => {
        x = Math.max(0, Math.floor(x));
        y = Math.max(0, Math.floor(y));
        w = Math.min(bmp.width - x, Math.ceil(w));
        h = Math.min(bmp.height - y, Math.ceil(h));
        if (w <= 0 || h <= 0) return 0;
        const seen = new Set();
        const rowsPerChunk = Math.max(1, Math.floor(4_000_000 / w));
        for (let y0 = y; y0 < y + h; y0 += rowsPerChunk) {
          const d = g.getImageData(x, y0, w, Math.min(rowsPerChunk, y + h - y0)).data;
          for (let i = 0; i < d.length; i += 4) {
            seen.add(((d[i] >> 4) << 12) | ((d[i + 1] >> 4) << 8) | ((d[i + 2] >> 4) << 4) | (d[i + 3] >> 4));
            if (seen.size > 1) return 2;
          }
        }
        return seen.size;
      };
      return {
        width: bmp.width,
        height: bmp.height,
        whole: count(0, 0, bmp.width, bmp.height),
        regions: regions.map((r) => count(r.x, r.y, r.width, r.height)),
      };
    }, { b64: png.toString('base64'), regions });
  } finally {
    await ctx.close();
  }
}

async function checkFile(chromium, file) {
  const reasons = [];
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) {
    return { reasons: ['no such file'] };
  }
  const shotPath = abs.replace(/\.html?$/i, '') + '.screenshot.png';
  const url = pathToFileURL(abs).href;

  let browser;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
  } catch (e) {
    die(`cannot start Chromium (${executablePath}): ${short(e.message, 600)}`);
  }
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Nothing may leave the machine: requests to anything but local schemes are recorded
    // (below) and aborted here, so a bad page fails fast instead of waiting on the network.
    await context.route((u) => !LOCAL_SCHEMES.has(u.protocol), (route) => route.abort('blockedbyclient'));
    const page = await context.newPage();
    page.setDefaultTimeout(NAV_TIMEOUT_MS);

    // Chromium logs "Failed to load resource" for each failed request: kept only for a URL
    // not already reported as an external or failed request.
    const reportedUrls = new Set();
    const resourceErrors = [];
    page.on('console', (msg) => {
      const t = msg.type();
      if (t === 'error' || t === 'warning') {
        const loc = msg.location();
        if (msg.text().startsWith('Failed to load resource') && loc && loc.url) {
          resourceErrors.push({ url: loc.url, text: `console ${t}: ${short(msg.text())} (${short(loc.url, 300)})` });
          return;
        }
        const where = loc && loc.url ? ` at ${path.basename(loc.url)}:${loc.lineNumber + 1}` : '';
        reasons.push(`console ${t}: ${short(msg.text())}${where}`);
      }
    });
    page.on('pageerror', (err) => reasons.push(`page error: ${short(err.message)}`));
    page.on('crash', () => reasons.push('page crashed'));
    page.on('request', (req) => {
      if (!LOCAL_SCHEMES.has(schemeOf(req.url()))) {
        reportedUrls.add(req.url());
        reasons.push(`external request (page is not self-contained): ${short(req.url(), 300)}`);
      }
    });
    page.on('requestfailed', (req) => {
      // External requests are already reported above; their abort is our doing.
      if (LOCAL_SCHEMES.has(schemeOf(req.url()))) {
        reportedUrls.add(req.url());
        reasons.push(`request failed: ${short(req.url(), 300)} (${req.failure()?.errorText})`);
      }
    });
    page.on('websocket', (ws) => reasons.push(`websocket opened (page is not self-contained): ${ws.url()}`));

    try {
      const resp = await page.goto(url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
      if (resp && !resp.ok()) reasons.push(`loading the page gave status ${resp.status()}`);
    } catch (e) {
      reasons.push(`page did not load: ${short(e.message)}`);
      return { reasons };
    }

    // Lazy images load only when near the viewport: load them all, then wait for them.
    await page.evaluate(async () => {
      await document.fonts.ready;
      const imgs = [...document.images];
      for (const img of imgs) if (img.loading === 'lazy') img.loading = 'eager';
      await Promise.race([
        Promise.all(imgs.map((img) => img.complete ? null : new Promise((ok) => {
          img.addEventListener('load', ok, { once: true });
          img.addEventListener('error', ok, { once: true });
        }))),
        new Promise((ok) => setTimeout(ok, 10_000)),
      ]);
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
    });
    await page.waitForTimeout(SETTLE_MS);
    for (const e of resourceErrors) if (!reportedUrls.has(e.url)) reasons.push(e.text);

    const dom = await page.evaluate((DRAWN) => {
      const describe = (el, i) => {
        const id = el.id ? `#${el.id}` : '';
        const label = el.getAttribute('aria-label') || el.querySelector(':scope > title')?.textContent || '';
        return `svg[${i}]${id}${label ? ` "${label.trim().slice(0, 60)}"` : ''}`;
      };
      // Charts are the outermost <svg>s; an <svg> nested in another is part of its chart.
      const svgs = [...document.querySelectorAll('svg')].filter((s) => !s.parentElement?.closest('svg'));
      const charts = svgs.map((svg, i) => {
        // The content box: a border or padding around an empty or blank chart does not count.
        const r = svg.getBoundingClientRect();
        const cs = getComputedStyle(svg);
        const px = (p) => parseFloat(cs.getPropertyValue(p)) || 0;
        const left = px('border-left-width') + px('padding-left');
        const top = px('border-top-width') + px('padding-top');
        const right = px('border-right-width') + px('padding-right');
        const bottom = px('border-bottom-width') + px('padding-bottom');
        return {
          name: describe(svg, i),
          width: Math.max(0, r.width - left - right),
          height: Math.max(0, r.height - top - bottom),
          x: r.left + window.scrollX + left,
          y: r.top + window.scrollY + top,
          drawn: svg.querySelectorAll(DRAWN).length,
        };
      });
      const images = [...document.images].map((img) => ({
        src: img.currentSrc || img.getAttribute('src') || '(no src)',
        complete: img.complete,
        naturalWidth: img.naturalWidth,
      }));
      return { charts, images, title: document.title };
    }, DRAWN);

    if (dom.charts.length === 0) reasons.push('no <svg> charts in the page');
    for (const c of dom.charts) {
      if (!(c.width > 0 && c.height > 0)) {
        reasons.push(`${c.name} is not rendered (size ${c.width}x${c.height}; hidden or zero-sized)`);
      }
      if (c.drawn === 0) reasons.push(`${c.name} has nothing drawn in it (no ${DRAWN.replaceAll(',', '/')})`);
    }
    for (const img of dom.images) {
      if (!img.complete || img.naturalWidth === 0) {
        reasons.push(`<img> did not load: ${short(img.src.startsWith('data:') ? img.src.slice(0, 40) : img.src, 300)}`);
      }
    }

    let png;
    try {
      png = await page.screenshot({ path: shotPath, fullPage: true, animations: 'disabled' });
    } catch (e) {
      reasons.push(`screenshot failed: ${short(e.message)}`);
      return { reasons, charts: dom.charts.length };
    }
    const visible = dom.charts.filter((c) => c.width > 0 && c.height > 0);
    const colours = await colourCounts(browser, png, visible);
    if (colours.whole < 2) {
      reasons.push(`screenshot is blank (a single colour, ${colours.width}x${colours.height})`);
    } else {
      visible.forEach((c, i) => {
        if (colours.regions[i] < 2) reasons.push(`${c.name} paints nothing (a single colour in the screenshot)`);
      });
    }
    return { reasons, charts: dom.charts.length, shotPath };
  } finally {
    await browser.close().catch(() => {});
  }
}

// Paths under the current directory are shown relative to it, others as they are.
function display(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function main() {
  const files = process.argv.slice(2);
  if (files.length === 0 || files.includes('-h') || files.includes('--help')) {
    console.error('usage: check_report.mjs REPORT.html [REPORT2.html ...]');
    process.exit(2);
  }
  if (!fs.existsSync(executablePath)) die(`no Chromium at ${executablePath} (run tests/browser/run.sh)`);
  const { chromium } = loadPlaywright();

  let failed = 0;
  for (const file of files) {
    const { reasons, charts, shotPath } = await checkFile(chromium, file);
    const uniq = [...new Set(reasons)];
    if (uniq.length === 0) {
      console.log(`ok  ${file}  (${charts} chart${charts === 1 ? '' : 's'}, screenshot: ${display(shotPath)})`);
    } else {
      failed++;
      console.log(`FAIL ${file}: ${uniq.join('; ')}`);
    }
  }
  console.log(`browser-check: ${files.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`check_report: unexpected error: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
