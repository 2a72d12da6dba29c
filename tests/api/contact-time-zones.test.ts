import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import { addCampaign } from '../support/campaign-fixtures';

/*
 * Time zones are IANA zones wherever they come in: contact data given inline with new members
 * (once stored as given and silently replaced when mailing) and a campaign's default zone.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const db = () => t.database.db;
const send = (method: 'POST' | 'PATCH', url: string, payload: object) => t.app.inject({ method, url, headers: t.auth, payload });

describe('time zones', () => {
  it('refuses an unknown zone in inline contact data, and stores a known one in its canonical spelling', async () => {
    const { campaignId } = await addCampaign(db(), {});
    const ref = `tz-${randomUUID()}`;
    const refused = await send('POST', `/api/campaigns/${campaignId}/members`, {
      members: [{ contact: { externalRef: `${ref}-ok`, email: 'ok@client.example' } }, { contact: { externalRef: ref, email: 'tz@client.example', timeZone: 'Not/AZone' } }],
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toBe('members[1].contact.timeZone: Not/AZone is not a known IANA time zone');
    expect(await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, `${ref}-ok`))).toEqual([]);

    const added = await send('POST', `/api/campaigns/${campaignId}/members`, {
      members: [{ contact: { externalRef: ref, email: 'tz@client.example', timeZone: 'europe/amsterdam' } }],
    });
    expect(added.statusCode, added.body).toBe(200);
    const [contact] = await db().select().from(tables.contacts).where(eq(tables.contacts.externalRef, ref));
    expect(contact!.timeZone).toBe('Europe/Amsterdam');
  });

  it("refuses an unknown default zone in a campaign's settings, on create and on change", async () => {
    const { surveyId, campaignId } = await addCampaign(db(), {});
    const created = await send('POST', '/api/campaigns', { name: 'Zones', surveyId, settings: { defaultTimeZone: 'Not/AZone' } });
    expect(created.statusCode).toBe(400);
    expect(created.json().error.message).toBe('settings.defaultTimeZone: Not/AZone is not a known IANA time zone');
    expect((await send('PATCH', `/api/campaigns/${campaignId}`, { settings: { defaultTimeZone: '+01:00' } })).statusCode).toBe(400);
    const changed = await send('PATCH', `/api/campaigns/${campaignId}`, { settings: { defaultTimeZone: 'america/new_york' } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().settings.defaultTimeZone).toBe('America/New_York');
  });
});
