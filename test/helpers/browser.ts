import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

/** The Chromium the browser tests drive: `CHROMIUM_PATH`, else Debian's package. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium, closed when the test ends, pass or fail. Playwright's own browser
 * download is not used (it needs the internet); the system Chromium is. Resolves to `undefined`,
 * after marking the test skipped, only when there is no Chromium executable: the caller returns.
 */
export async function launchBrowser(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(chromiumPath)) {
    t.skip(`no Chromium at ${chromiumPath}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
    return undefined;
  }
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
    // Fail clearly instead of waiting for Playwright's default of three minutes.
    timeout: 15_000,
  });
  t.after(() => browser.close());
  return browser;
}
