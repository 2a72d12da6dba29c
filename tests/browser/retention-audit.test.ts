import path from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRetentionRun } from '../../retention';
import { createTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/app';
import { seriousViolations } from '../support/axe';
import { SCREENSHOTS } from '../support/admin-page';
import { launchChromium } from '../support/chromium';

/* The retention run's audit entry: in the audit API with its counts, and readable on the audit page. */

let t: TestApp;
let browser: Browser;
let base: string;
const removed = { responseLinks: 12, openAnswers: 0, outboxBodies: 340, emailEvents: 0, auditEntries: 7 };
const periods = { outboxBodyDays: 30, emailEventDays: 365, auditDays: 730 };

beforeAll(async () => {
  t = await createTestApp();
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
  await recordRetentionRun(t.database.db, { at: '2026-12-07T03:15:00.000Z', workflowId: 'retention-2026-12-07T03:15:00Z', removed, periods });
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('the retention run in the audit log', () => {
  it('is listed with what it removed', async () => {
    const res = await t.app.inject({ url: '/api/audit?action=retention.run', headers: t.auth });
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      expect.objectContaining({ actorType: 'system', actorName: 'retention', entityId: 'retention-2026-12-07T03:15:00Z', details: { at: '2026-12-07T03:15:00.000Z', removed, periods } }),
    ]);
  });

  for (const [language, locale, summary] of [
    ['en', 'en-GB', 'response links 12 · email bodies 340 · audit entries 7'],
    ['nl', 'nl-NL', 'koppelingen van antwoorden 12 · e-mailinhoud 340 · auditregels 7'],
  ] as const) {
    it(`reads on the audit page (${language})`, async () => {
      const context = await browser.newContext({ bypassCSP: true, locale, viewport: { width: 1360, height: 900 } });
      await context.addInitScript(`try { sessionStorage.setItem('npsflow.adminKey', ${JSON.stringify(TEST_ADMIN_KEY)}) } catch {}`);
      const page = await context.newPage();
      try {
        await page.goto(`${base}/admin/#/audit`);
        await page.getByText(summary).waitFor();
        expect(await seriousViolations(page)).toEqual([]);
        if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `audit-retention${language === 'nl' ? '-nl' : ''}.png`), fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
