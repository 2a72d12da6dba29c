import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';

/* The OpenAPI UI at /docs renders in Chromium under its Content Security Policy. */
let t: TestApp;
let browser: Browser;
let base: string;

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('/docs', () => {
  it('shows the API operations with no Content Security Policy violation', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    const response = await page.goto(`${base}/docs`);
    expect(response?.headers()['content-security-policy']).toBeDefined();
    await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
    expect(await page.locator('.opblock-summary-path').count()).toBeGreaterThan(20);
    expect(await page.textContent('.info .title')).toContain('npsflow API');
    expect(violations).toEqual([]);
    await page.close();
  });
});
