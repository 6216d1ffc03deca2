import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expectEventually } from '@wellifiy/testing';
import { gatewayUrl, type Actor } from './system';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'reports/browser');

/** Debian's Chromium, never a browser download (tools/scripts/ensure-chromium.sh installs it when missing). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Browser errors seen on the page (uncaught exceptions). */
  errors: string[];
  /** The page's console errors and warnings (kept for reports/browser/<name>.console.log). */
  console: string[];
}

/**
 * A browser context signed in as `actor`: the token (minted by the test, as the dev sign-in would) is put in the
 * tab's sessionStorage before the console loads, with the gateway as the API origin.
 */
export async function openConsoleAs(browser: Browser, consoleUrl: string, actor: Actor, viewport = { width: 1280, height: 800 }): Promise<Tab> {
  const context = await browser.newContext({ viewport });
  const session = JSON.stringify({ token: actor.token, apiOrigin: gatewayUrl });
  await context.addInitScript((value: string) => {
    (globalThis as unknown as { sessionStorage: { setItem(k: string, v: string): void } }).sessionStorage.setItem('wellifiy.console.session', value);
  }, session);
  const page = await context.newPage();
  const errors: string[] = [];
  const consoleLines: string[] = [];
  page.on('pageerror', (err) => errors.push(err.stack ?? err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleLines.push(`${new Date().toISOString()} ${msg.type()} ${msg.text()}`);
  });
  await page.goto(consoleUrl);
  await page.getByRole('heading', { name: actor.kind === 'patient' ? 'Patient Portal' : 'Clinical Portal' }).waitFor();
  return { context, page, errors, console: consoleLines };
}

/** Saves a screenshot of the page to reports/browser/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Writes what the page logged to reports/browser/<name>.console.log (read it when a test fails). */
export function saveConsole(tab: Tab | undefined, name: string): void {
  if (!tab) return;
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, `${name}.console.log`), tab.console.join('\n') + '\n');
}

/** Waits (bounded) until the locator matches exactly `n` elements. */
export async function expectCount(locator: Locator, n: number, timeoutMs = 15_000): Promise<void> {
  await expectEventually(async () => expect(await locator.count()).toBe(n), { timeoutMs, intervalMs: 100 });
}

/** Waits (bounded) until the locator is visible. */
export async function visible(locator: Locator, timeoutMs = 15_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
}
