import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { projectRoot } from '../../temporal/binaries';
import { TEST_ADMIN_KEY } from './app';

/** Where browser tests save their pages with UPDATE_SCREENSHOTS=1 (docs/screenshots); otherwise nowhere. */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(projectRoot, 'docs/screenshots') : undefined;

export interface AdminPage {
  page: Page;
  /** Script errors and console errors seen so far: a page that works has none. */
  problems: string[];
  close: () => Promise<void>;
}

export interface AdminPageOptions {
  /** Extra browser-context options (a time zone, downloads). */
  context?: BrowserContextOptions;
  /** Console errors the test provokes on purpose (a refused request logs one). */
  expectedConsoleErrors?: RegExp;
  /** Accept the page's confirmation dialogs. */
  acceptDialogs?: boolean;
}

/**
 * A fresh page of the admin UI in `locale`, signed in with the test admin key, collecting its
 * script and console errors. bypassCSP lets a test inject axe-core; the app's own scripts still
 * run under its CSP.
 */
export async function openAdminPage(browser: Browser, locale: string, options: AdminPageOptions = {}): Promise<AdminPage> {
  const context = await browser.newContext({ locale, viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1, bypassCSP: true, ...options.context });
  await context.addInitScript(`try { sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(TEST_ADMIN_KEY)}) } catch {}`);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !options.expectedConsoleErrors?.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  if (options.acceptDialogs) page.on('dialog', (dialog) => void dialog.accept());
  return { page, problems, close: () => context.close() };
}
