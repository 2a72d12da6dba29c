import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app';
import { activeSurveyWithLink } from '../fixtures/surveys';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const LIMIT = 5;

/** LIMIT + 3 requests to the public JSON endpoint, each claiming another client address. */
async function rotatingForwardedFor(app: TestApp['app'], remoteAddress: string) {
  const statuses: number[] = [];
  for (let i = 0; i < LIMIT + 3; i += 1) {
    const response = await app.inject({
      url: `/api/public/surveys/${'a'.repeat(43)}`,
      remoteAddress,
      headers: { 'x-forwarded-for': `198.51.100.${i + 1}` },
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

describe('TRUST_PROXY', () => {
  it('off by default: X-Forwarded-For is ignored, so rotating it does not escape the per-IP limit', async () => {
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_IP: String(LIMIT), PUBLIC_RATE_LIMIT_PER_TOKEN: '1000' } });
    const statuses = await rotatingForwardedFor(t.app, '203.0.113.9');
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
  });

  it('a trusted proxy (by CIDR) names the client; an untrusted sender cannot', async () => {
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_IP: String(LIMIT), PUBLIC_RATE_LIMIT_PER_TOKEN: '1000', TRUST_PROXY: '10.0.0.0/8' } });
    // Through the proxy every client has its own budget.
    expect((await rotatingForwardedFor(t.app, '10.1.2.3')).filter((s) => s === 429)).toHaveLength(0);
    // Straight from the internet the header counts for nothing.
    expect((await rotatingForwardedFor(t.app, '203.0.113.9')).filter((s) => s === 429)).toHaveLength(3);
  });

  it('a hop count trusts that many proxies', async () => {
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_IP: String(LIMIT), PUBLIC_RATE_LIMIT_PER_TOKEN: '1000', TRUST_PROXY: '1' } });
    expect((await rotatingForwardedFor(t.app, '127.0.0.1')).filter((s) => s === 429)).toHaveLength(0);
  });

  it("the form's origin check believes X-Forwarded-Host only from a trusted proxy", async () => {
    for (const trust of [undefined, '127.0.0.1']) {
      t = await createTestApp({ env: trust ? { TRUST_PROXY: trust } : {} });
      const { token } = await activeSurveyWithLink(t.app, t.auth);
      const page = await t.app.inject({ url: `/s/${token}` });
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const version = /name="_version" value="([^"]+)"/.exec(page.body)![1]!;
      const posted = await t.app.inject({
        method: 'POST',
        url: `/s/${token}`,
        remoteAddress: '127.0.0.1',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          host: 'nps.example',
          origin: 'https://evil.example',
          'x-forwarded-host': 'evil.example',
        },
        payload: new URLSearchParams({ _csrf: csrf, _version: version, _nav: 'language', _step: '0' }).toString(),
      });
      expect(posted.statusCode, `TRUST_PROXY=${trust}`).toBe(trust ? 200 : 403);
      await t.close();
      t = undefined;
    }
  });
});
