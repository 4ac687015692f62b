import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { REPO_ROOT } from '../../support/server-process';
import { NETWORK_TURN_WAIT_MS, takeNetworkTurn } from '../../support/network-turn';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output/portal');

// Debian's Chromium, headless, with a fresh profile (--user-data-dir) for every launch. The portal's
// certificate is self-signed for the test, hence ignoreHTTPSErrors.
export async function launchChromium(locale = 'en-GB'): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'twofold-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.TWOFOLD_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    ignoreHTTPSErrors: true,
    locale,
  });
}

// A screenshot a person can look at afterwards: test-output/portal/<name>.png
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

// One Chromium and one page for a describe block: launched before its tests, closed after them.
// Read `chrome.page` inside tests and hooks (it exists once beforeAll ran). The suite holds the
// network turn meanwhile: no partition spec changes the host's addresses under its requests.
export function chromiumPerSuite(locale?: string): { readonly page: Page } {
  const held: { browser?: BrowserContext; page?: Page; release?: () => void } = {};
  beforeAll(async () => {
    held.release = await takeNetworkTurn();
    held.browser = await launchChromium(locale);
    held.page = await held.browser.newPage();
  }, NETWORK_TURN_WAIT_MS + 60_000);
  afterAll(async () => {
    try {
      await held.browser?.close();
    } finally {
      held.release?.();
    }
  });
  return {
    get page(): Page {
      if (!held.page) throw new Error('the browser is not started yet (use chrome.page inside tests)');
      return held.page;
    },
  };
}
