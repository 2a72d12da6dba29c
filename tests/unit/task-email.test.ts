import { describe, expect, it } from 'vitest';
import { endOfDueDay, followUpDueDate, refuseFollowUpCommand } from '../../domain/follow-up';
import { renderTaskEmail, type TaskEmailInput } from '../../email';

const by = { employeeId: null, name: 'test' };

describe('when a follow-up task is due', () => {
  it('is the answer’s local day plus the follow-up days, ending at local midnight', () => {
    // 23:30 UTC on 20 November is already 21 November in Amsterdam.
    const answered = Date.parse('2026-11-20T23:30:00Z');
    expect(followUpDueDate(answered, 14, 'Europe/Amsterdam')).toBe('2026-12-05');
    expect(followUpDueDate(answered, 14, 'America/New_York')).toBe('2026-12-04');
    expect(new Date(endOfDueDay('2026-12-04', 'Europe/Amsterdam')).toISOString()).toBe('2026-12-04T22:59:59.999Z');
    expect(new Date(endOfDueDay('2026-12-04', 'America/New_York')).toISOString()).toBe('2026-12-05T04:59:59.999Z');
    // Across a change to summer time the day still ends at local midnight.
    expect(new Date(endOfDueDay('2027-03-28', 'Europe/Amsterdam')).toISOString()).toBe('2027-03-28T21:59:59.999Z');
  });

  it('refuses commands a task cannot take, with the reason', () => {
    const open = { status: 'open' as const, assigneeEmployeeId: null };
    expect(refuseFollowUpCommand('close', { by, outcome: 'resolved' }, open)).toBe('a note is required to close a task as resolved');
    expect(refuseFollowUpCommand('close', { by, outcome: 'unreachable' }, open)).toBeNull();
    expect(refuseFollowUpCommand('close', { by, outcome: 'unreachable' }, { ...open, status: 'closed' })).toBe('the task is closed');
    expect(refuseFollowUpCommand('reopen', { by }, open)).toBe('only a closed task can be reopened');
    expect(refuseFollowUpCommand('changeDueDate', { by, dueDate: '2026-02-29' }, open)).toMatch(/YYYY-MM-DD/);
    expect(refuseFollowUpCommand('start', {}, open)).toBe('the command must say who gives it');
  });
});

describe('the detractor email', () => {
  const input: TaskEmailInput = {
    kind: 'detractor_notice',
    language: 'nl',
    timeZone: 'Europe/Amsterdam',
    employeeFirstName: 'Eva',
    taskSubject: 'Feedback call: Ann Jansen (NPS 3)',
    description: '',
    dueAt: new Date(endOfDueDay('2026-12-04', 'Europe/Amsterdam')),
    taskUrl: 'https://nps.example/admin/#/tasks/1',
    contact: { name: 'Ann Jansen', phone: '+31 20 123 4567', email: 'ann@customer.example' },
    surveyTitle: 'Klanttevredenheid',
    npsScore: 3,
    openAnswers: ['Niemand belde terug'],
    assigneeName: null,
  };

  it('holds who, how to reach them, the score, their words, the due day and the link, in the employee’s language', async () => {
    const nl = await renderTaskEmail(input);
    expect(nl.subject).toBe('Terugbelverzoek: Ann Jansen gaf een 3');
    for (const part of ['+31 20 123 4567', 'ann@customer.example', '“Niemand belde terug”', 'uiterlijk eind vrijdag 4 december', 'https://nps.example/admin/#/tasks/1']) {
      expect(nl.text).toContain(part);
    }
    const en = await renderTaskEmail({ ...input, language: 'en', timeZone: 'America/New_York' });
    expect(en.text).toContain('by the end of Friday 4 December');
    expect(en.html).toContain('href="https://nps.example/admin/#/tasks/1"');
  });
});
