import { describe, expect, it } from 'vitest';
import { checkMailing, checkSendability, type SendabilityFacts } from '../../domain/eligibility';
import { MEMBER_STATUSES, isTerminalStatus } from '../../domain/member-status';
import { classifyNps, isDetractor } from '../../domain/nps';
import { readdirSync, readFileSync } from 'node:fs';
import { migrationsFolder } from '../../db';

const now = Date.parse('2026-06-09T10:00:00Z');
const daysAgo = (days: number) => new Date(now - days * 86_400_000).toISOString();
const sendable: SendabilityFacts = {
  email: 'ann@example.org',
  optedOut: false,
  outOfScope: false,
  inactive: false,
  emailBouncedAt: null,
  lastSurveyCompletedAt: null,
};

describe('ids, not people: what activities give workflows', () => {
  const { email: _address, ...withoutAddress } = sendable;
  it('judges hasEmail as older histories’ address was judged', () => {
    expect(checkSendability({ ...withoutAddress, hasEmail: true }, { noSendRuleDays: 0, now })).toBeNull();
    expect(checkSendability({ ...withoutAddress, hasEmail: false }, { noSendRuleDays: 0, now })).toBe('No_Email');
    expect(checkSendability({ ...sendable, email: '  ' }, { noSendRuleDays: 0, now })).toBe('No_Email');
  });

  it('never mails an erased person, whatever else holds', () => {
    const rules = { noSendRuleDays: 0, now };
    const facts = { campaignStatus: 'paused', surveyStatus: 'active', invitationStatus: 'completed' } as const;
    expect(checkMailing({ ...facts, contact: { ...withoutAddress, hasEmail: false, erased: true } }, rules)).toEqual({ send: false, end: 'Erased' });
    expect(checkMailing({ ...facts, contact: { ...sendable, erased: false } }, rules)).toEqual({ send: false, hold: 'answered' });
  });
});

describe('checkSendability', () => {
  it('lets a clean contact through', () => {
    expect(checkSendability(sendable, { noSendRuleDays: 365, now })).toBeNull();
  });

  it.each([
    [{ optedOut: true }, 'NPS_Opt_Out'],
    [{ lastSurveyCompletedAt: daysAgo(100) }, 'NPS_No_Send_Rule'],
    [{ outOfScope: true }, 'Out_Of_NPS_Scope'],
    [{ inactive: true }, 'Inactive_Contact'],
    [{ emailBouncedAt: daysAgo(3) }, 'Email_Bounced'],
    [{ email: null }, 'No_Email'],
    [{ email: '   ' }, 'No_Email'],
  ] as const)('%o → %s', (facts, status) => {
    expect(checkSendability({ ...sendable, ...facts }, { noSendRuleDays: 365, now })).toBe(status);
  });

  it('reports the first failing check, in the order the checks are made', () => {
    expect(checkSendability({ ...sendable, optedOut: true, email: null, inactive: true }, { noSendRuleDays: 365, now })).toBe('NPS_Opt_Out');
    expect(checkSendability({ ...sendable, inactive: true, email: null }, { noSendRuleDays: 365, now })).toBe('Inactive_Contact');
  });

  it('applies the no-send rule only inside its window, and not at all when 0', () => {
    const facts = { ...sendable, lastSurveyCompletedAt: daysAgo(366) };
    expect(checkSendability(facts, { noSendRuleDays: 365, now })).toBeNull();
    expect(checkSendability({ ...sendable, lastSurveyCompletedAt: daysAgo(1) }, { noSendRuleDays: 0, now })).toBeNull();
  });
});

describe('member statuses', () => {
  it('match the enum the committed migrations create (the schema takes its list from here)', () => {
    const sqlText = readdirSync(migrationsFolder)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((f) => readFileSync(`${migrationsFolder}/${f}`, 'utf8'))
      .join('\n');
    const created = /CREATE TYPE "public"\."member_status" AS ENUM\(([^)]*)\)/.exec(sqlText)?.[1] ?? '';
    const added = [...sqlText.matchAll(/ALTER TYPE "public"\."member_status" ADD VALUE '([^']+)'/g)].map((m) => m[1]);
    const values = [...created.matchAll(/'([^']+)'/g)].map((m) => m[1]).concat(added);
    expect(values.sort()).toEqual([...MEMBER_STATUSES].sort());
  });

  it('know which statuses end a member', () => {
    expect(isTerminalStatus('Survey_Completed')).toBe(true);
    expect(isTerminalStatus('Awaiting_Send')).toBe(false);
    expect(isTerminalStatus('Survey_Started')).toBe(false);
  });
});

describe('NPS classification', () => {
  it('splits 0–10 into detractors, passives and promoters', () => {
    expect([0, 6, 7, 8, 9, 10].map(classifyNps)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
    expect(isDetractor(6)).toBe(true);
    expect(isDetractor(7)).toBe(false);
    expect(() => classifyNps(11)).toThrow(RangeError);
    expect(() => classifyNps(7.5)).toThrow(RangeError);
  });
});
