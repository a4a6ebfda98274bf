// Runs pa11y over pages of the live test server, with HTML_CodeSniffer (WCAG 2 AA) and
// axe-core, in one Chromium (Debian's: the bundled download is skipped at install).
// Reads [{url, cookies: [{name, value}]}] on stdin; writes [{url, issues}] on stdout,
// errors only (pa11y's "error" type: HTML_CodeSniffer errors, axe's serious and critical).
import pa11y from 'pa11y';
import puppeteer from 'puppeteer';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});

async function check(job) {
  // A context of its own: each page is opened with its own member's cookies only.
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  try {
    if (job.cookies.length) {
      await page.setCookie(...job.cookies.map((c) => ({ ...c, url: job.url })));
    }
    const result = await pa11y(job.url, {
      browser,
      page,
      runners: ['htmlcs', 'axe'],
      standard: 'WCAG2AA',
      includeNotices: false,
      includeWarnings: false,
      // What axe could not decide (text over an SVG, say) is a warning to review by
      // hand, as in the other axe checks; its definite violations stay errors.
      levelCapWhenNeedsReview: 'warning',
      timeout: 60000,
      viewport: { width: 1280, height: 900 },
    });
    // WCAG 2.2's own AA rules (target size), which pa11y's WCAG2AA standard predates: axe
    // is still loaded in the page from pa11y's run.
    const wcag22 = await page.evaluate(async () => {
      const found = await window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag22aa'] },
        resultTypes: ['violations'],
      });
      return found.violations.flatMap((v) => v.nodes.map((node) => ({
        code: v.id, type: 'error', message: v.help, context: node.html,
        selector: node.target.join(' '), runner: 'axe',
      })));
    });
    const errors = result.issues.filter((i) => i.type === 'error');
    return { url: job.url, issues: [...errors, ...wcag22] };
  } catch (error) {
    return { url: job.url, issues: [{ runner: 'pa11y', code: 'failed', message: String(error), selector: '' }] };
  } finally {
    await context.close();
  }
}

const results = [];
const queue = [...jobs];
const workers = Array.from({ length: Number(process.env.PA11Y_PAGES || 2) }, async () => {
  while (queue.length) {
    const job = queue.shift();
    const started = Date.now();
    results.push(await check(job));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stderr.write(`pa11y ${results.length}/${jobs.length} ${job.url} ${seconds}s\n`);
  }
});
await Promise.all(workers);
await browser.close();
process.stdout.write(JSON.stringify(results));
