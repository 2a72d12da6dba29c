import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../telemetry/log-redaction';
import {
  EMAIL_LANGUAGES,
  emailLanguage,
  renderBounceNotice,
  renderCompletionNotice,
  renderDetractorNotice,
  renderInvitation,
  renderReminder,
  type TemplateSet,
} from '../../email';

const SETS: TemplateSet[] = ['A', 'B', 'C', 'D', 'E'];
const survey = (language: 'nl' | 'en', templateSet: TemplateSet) => ({
  language,
  templateSet,
  firstName: 'Ann <b>',
  surveyTitle: 'Service & "support"',
  link: 'https://nps.example/s/TOKEN',
  unsubscribeUrl: 'https://nps.example/s/TOKEN/unsubscribe',
  expiresAt: new Date('2026-04-01T12:00:00Z'),
  timeZone: 'Europe/Amsterdam',
});

describe('email templates', () => {
  it('every set and language renders HTML and text with the survey and unsubscribe links, values escaped', async () => {
    const subjects = new Set<string>();
    for (const language of EMAIL_LANGUAGES) {
      for (const set of SETS) {
        for (const rendered of [
          await renderInvitation(survey(language, set)),
          await renderReminder({ ...survey(language, set), reminderNumber: 1 }),
          await renderReminder({ ...survey(language, set), reminderNumber: 3 }),
        ]) {
          subjects.add(rendered.subject);
          expect(rendered.html).toContain('href="https://nps.example/s/TOKEN"');
          expect(rendered.html).toContain('href="https://nps.example/s/TOKEN/unsubscribe"');
          expect(rendered.html).toContain('Ann &lt;b&gt;');
          expect(rendered.html).not.toContain('Ann <b>');
          expect(rendered.text).toContain('https://nps.example/s/TOKEN/unsubscribe');
          expect(rendered.text).toContain('Ann <b>');
        }
      }
    }
    expect(subjects.size).toBe(6);
    expect((await renderInvitation(survey('nl', 'B'))).text).not.toEqual((await renderInvitation(survey('nl', 'C'))).text);
  });

  it('employee notices: detractor, completion, bounce with the link to update the address', async () => {
    const base = { language: 'en' as const, templateSet: 'A' as const, employeeFirstName: 'Frank', contactName: 'Ann Jansen', surveyTitle: 'NPS', timeZone: 'UTC' };
    expect((await renderDetractorNotice({ ...base, npsScore: 3, dueAt: new Date('2026-03-10T00:00:00Z') })).subject).toBe('Feedback call: Ann Jansen scored 3');
    expect((await renderCompletionNotice({ ...base, npsScore: 9 })).text).toContain('(NPS 9)');
    const bounce = await renderBounceNotice({ ...base, language: 'nl', emailAddress: 'ann@x.example', updateUrl: 'https://nps.example/admin/#/contacts/1' });
    expect(bounce.subject).toBe('E-mailadres van Ann Jansen klopt niet');
    expect(bounce.html).toContain('href="https://nps.example/admin/#/contacts/1"');
  });

  it('language: the contact, then the campaign default, then English', () => {
    expect(emailLanguage('nl-BE', 'en')).toBe('nl');
    expect(emailLanguage('de', 'nl')).toBe('nl');
    expect(emailLanguage('de', 'fr')).toBe('en');
    expect(emailLanguage(null, undefined)).toBe('en');
  });

  it('request logs never carry a survey token', () => {
    expect(redactUrl('/s/abcDEF_123-xyz/unsubscribe')).toBe('/s/<redacted>/unsubscribe');
    expect(redactUrl('/s/abcDEF_123-xyz?lang=nl')).toBe('/s/<redacted>?lang=<redacted>');
    expect(redactUrl('/api/public/responses/abc')).toBe('/api/public/responses/<redacted>');
    expect(redactUrl('/api/campaigns')).toBe('/api/campaigns');
  });
});
