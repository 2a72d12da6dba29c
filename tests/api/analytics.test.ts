import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tables } from '../../db';
import { createTestApp, type TestApp } from '../support/app';
import {
  addCampaign,
  addClient,
  addEmployee,
  addInvitations,
  addResponses,
  addSurvey,
  many,
  scores,
} from '../support/analytics-fixtures';

/*
 * The numbers a dashboard shows, checked against values worked out by hand.
 *
 * May 2026, survey S1, campaign C1 (wave after C0):
 *   email / client A / employee E: 15 promoters, 6 passives, 4 detractors, 2 skipped (27 responses)
 *   phone / client B:               5 promoters, 4 passives, 2 detractors, 2 skipped (13 responses)
 *   → n = 36, p = 20, d = 6: NPS = 100·14/36 = 38.89;
 *     σ² = 100²·(26/36 − (14/36)²) = 5709.88, SE = √(5709.88/36) = 12.594, margin = 24.68
 *   ratings: email 10 × 5 and 10 × 3, phone 5 × 4 → 25 rated, mean 4.0, 15 satisfied (60%)
 *   invitations: the 40 answered + 40 email and 20 phone unanswered → 40/100 = 40%
 * May 2026, survey S2 (no campaign): 5 promoters by email.
 * April 2026, S1, campaign C0, email: 10 promoters, 10 passives, 20 detractors → NPS −25.
 */

let t: TestApp;
const ids = {} as Record<'s1' | 's2' | 's3' | 'c0' | 'c1' | 'clientA' | 'clientB' | 'employee', string>;

const get = async (url: string) => {
  const response = await t.app.inject({ method: 'GET', url, headers: t.auth });
  return { status: response.statusCode, body: response.json(), response };
};

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  ids.s1 = await addSurvey(db, 'Service S1');
  ids.s2 = await addSurvey(db, 'Service S2');
  ids.s3 = await addSurvey(db, 'Export S3');
  ids.employee = await addEmployee(db, 'Eva');
  ids.clientA = await addClient(db, 'Acme', ids.employee);
  ids.clientB = await addClient(db, 'Bolt');
  ids.c0 = await addCampaign(db, ids.s1, 'Spring wave');
  ids.c1 = await addCampaign(db, ids.s1, 'May wave', ids.c0);

  const email = scores(15, 6, 4, 2);
  const phone = scores(5, 4, 2, 2);
  await addResponses(db, [
    ...email.map((nps, i) => ({
      surveyId: ids.s1,
      campaignId: ids.c1,
      at: `2026-05-${String(1 + i).padStart(2, '0')}T10:00:00Z`,
      nps,
      rating: i < 10 ? 5 : i < 20 ? 3 : null,
      channel: 'email',
      clientId: ids.clientA,
      employeeId: ids.employee,
    })),
    ...phone.map((nps, i) => ({
      surveyId: ids.s1,
      campaignId: ids.c1,
      at: `2026-05-${String(1 + i).padStart(2, '0')}T12:00:00Z`,
      nps,
      rating: i < 5 ? 4 : null,
      channel: 'phone',
      clientId: ids.clientB,
    })),
    ...many(5, (i) => ({ surveyId: ids.s2, at: `2026-05-2${i}T09:00:00Z`, nps: 10, channel: 'email' })),
    ...scores(10, 10, 20).map((nps, i) => ({
      surveyId: ids.s1,
      campaignId: ids.c0,
      at: `2026-04-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
      nps,
      channel: 'email',
      clientId: ids.clientA,
    })),
  ]);
  await addInvitations(db, [
    ...many(40, () => ({ surveyId: ids.s1, campaignId: ids.c1, at: '2026-05-03T08:00:00Z', channel: 'email' })),
    ...many(20, () => ({ surveyId: ids.s1, campaignId: ids.c1, at: '2026-05-03T08:00:00Z', channel: 'phone' })),
  ]);
});

afterAll(async () => {
  await t?.close();
});

describe('KPI', () => {
  it('computes NPS, margin, satisfaction and response rate for a survey and month', async () => {
    const { status, body } = await get(`/api/analytics/kpi?surveyId=${ids.s1}&period=month&date=2026-05-15`);
    expect(status).toBe(200);
    expect(body.range).toEqual({ from: '2026-05-01', to: '2026-05-31', label: '2026-05' });
    expect(body.responses).toBe(40);
    expect(body.nps).toMatchObject({ n: 36, promoters: 20, passives: 10, detractors: 6, reliable: true, minSample: 30 });
    expect(body.nps.nps).toBeCloseTo(38.889, 3);
    expect(body.nps.marginOfError).toBeCloseTo(24.684, 3);
    expect(body.satisfaction).toEqual({ n: 25, average: 4, satisfied: 15, satisfiedPct: 60 });
    expect(body.responseRate).toMatchObject({ invited: 100, completed: 40, ofInvited: 40, delivered: 0, ofDelivered: null });
    expect(body.source).toBe('rollup');
  });

  it('compares with the previous period and draws an arrow only past the noise', async () => {
    const { body } = await get(`/api/analytics/kpi?surveyId=${ids.s1}&period=month&date=2026-05-15`);
    expect(body.previous.range).toEqual({ from: '2026-04-01', to: '2026-04-30' });
    expect(body.previous.nps).toMatchObject({ n: 40, nps: -25 });
    // threshold 1.96·√(158.61 + 6875/40) = 35.63 < 63.9
    expect(body.change.delta).toBeCloseTo(63.889, 3);
    expect(body.change.threshold).toBeCloseTo(35.63, 2);
    expect(body.change).toMatchObject({ significant: true, arrow: 'up' });
  });

  it('filters by channel, survey + channel, client, employee and campaign + client', async () => {
    const email = (await get('/api/analytics/kpi?channel=email&period=month&date=2026-05-15')).body;
    expect(email.nps).toMatchObject({ n: 30, promoters: 20, detractors: 4, reliable: true });
    expect(email.nps.nps).toBeCloseTo(53.333, 3);

    const phone = (await get(`/api/analytics/kpi?surveyId=${ids.s1}&channel=phone&period=month&date=2026-05-15`)).body;
    expect(phone.nps).toMatchObject({ n: 11, promoters: 5, detractors: 2, reliable: false });
    expect(phone.nps.nps).toBeCloseTo(27.273, 3);
    expect(phone.responseRate).toMatchObject({ invited: 33, completed: 13 });
    expect(phone.change.arrow).toBe('none');
    expect(phone.source).toBe('rollup');

    const client = (await get(`/api/analytics/kpi?clientId=${ids.clientB}&period=month&date=2026-05-15`)).body;
    expect(client.responses).toBe(13);

    const employee = (await get(`/api/analytics/kpi?employeeId=${ids.employee}&period=month&date=2026-05-15`)).body;
    expect(employee.nps).toMatchObject({ n: 25, promoters: 15, detractors: 4 });
    expect(employee.responseRate).toBeNull();

    const combined = (await get(`/api/analytics/kpi?campaignId=${ids.c1}&clientId=${ids.clientA}&period=month&date=2026-05-15`)).body;
    expect(combined.source).toBe('raw');
    expect(combined.nps).toMatchObject({ n: 25, promoters: 15, passives: 6, detractors: 4 });
    expect(combined.nps.nps).toBeCloseTo(44, 10);
    expect(combined.responseRate).toMatchObject({ invited: 27, completed: 27 });
  });

  it('covers everything without a filter, and an explicit range of days', async () => {
    const all = (await get('/api/analytics/kpi?period=month&date=2026-05-15')).body;
    expect(all.responses).toBe(45);
    expect(all.nps).toMatchObject({ n: 41, promoters: 25, detractors: 6 });
    const days = (await get(`/api/analytics/kpi?surveyId=${ids.s1}&from=2026-05-01&to=2026-05-02`)).body;
    expect(days.responses).toBe(4);
    expect(days.previous.range).toEqual({ from: '2026-04-29', to: '2026-04-30' });
  });

  it('rejects bad input with the error body', async () => {
    const reversed = await get('/api/analytics/kpi?from=2026-05-10&to=2026-05-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.code).toBe('VALIDATION_ERROR');
    expect((await get('/api/analytics/kpi?from=2026-02-30')).status).toBe(400);
    expect((await get('/api/analytics/kpi?surveyId=nope')).status).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/analytics/kpi' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('trend', () => {
  it('gives the last 12 months, each with its change and arrow', async () => {
    const { body } = await get(`/api/analytics/trend?surveyId=${ids.s1}&unit=month&date=2026-05-15`);
    expect(body.periods).toHaveLength(12);
    expect(body.periods[0].label).toBe('2025-06');
    const [april, may] = body.periods.slice(-2);
    expect(april).toMatchObject({ label: '2026-04', from: '2026-04-01', to: '2026-04-30', responses: 40 });
    expect(april.nps.nps).toBe(-25);
    expect(april.change).toMatchObject({ delta: null, arrow: 'none' });
    expect(may.nps.nps).toBeCloseTo(38.889, 3);
    expect(may.change.arrow).toBe('up');
    expect(body.periods[5].nps.nps).toBeNull();
  });

  it('cuts weeks on Mondays and quarters by calendar', async () => {
    const weeks = (await get(`/api/analytics/trend?surveyId=${ids.s1}&unit=week&date=2026-05-06&count=2`)).body;
    // 2026-W19 is Monday 4 – Sunday 10 May: one email and one phone answer a day → 14.
    expect(weeks.periods.map((p: { label: string; from: string }) => [p.label, p.from])).toEqual([
      ['2026-W18', '2026-04-27'],
      ['2026-W19', '2026-05-04'],
    ]);
    expect(weeks.periods[1].responses).toBe(14);
    const quarters = (await get(`/api/analytics/trend?unit=quarter&date=2026-05-06&count=4`)).body;
    expect(quarters.periods.map((p: { label: string }) => p.label)).toEqual(['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
    expect(quarters.periods[3].responses).toBe(85);
  });
});

describe('breakdown', () => {
  it('has one row per channel within a survey, with response rates', async () => {
    const { body } = await get(`/api/analytics/breakdown?by=channel&surveyId=${ids.s1}&period=month&date=2026-05-15`);
    expect(body.source).toBe('rollup');
    expect(body.rows.map((row: { key: string }) => row.key)).toEqual(['email', 'phone']);
    expect(body.rows[0]).toMatchObject({ label: 'email', responses: 27, responseRate: { invited: 67, completed: 27 } });
    expect(body.rows[0].nps.nps).toBeCloseTo(44, 10);
    expect(body.rows[1].nps).toMatchObject({ n: 11, reliable: false });
  });

  it('labels clients by name', async () => {
    const { body } = await get('/api/analytics/breakdown?by=client&period=month&date=2026-05-15');
    const labels = Object.fromEntries(body.rows.map((row: { label: string; responses: number }) => [row.label, row.responses]));
    expect(labels).toEqual({ Acme: 27, Bolt: 13, '(none)': 5 });
  });
});

describe('wave comparison', () => {
  it('compares a wave with the previous one per channel', async () => {
    const { status, body } = await get(`/api/analytics/waves?campaignId=${ids.c1}&segment=channel`);
    expect(status).toBe(200);
    expect(body.previousCampaign).toMatchObject({ id: ids.c0, name: 'Spring wave' });
    expect(body.campaign.responseRate).toMatchObject({ invited: 100, completed: 40, ofInvited: 40 });
    expect(body.total.current.nps.nps).toBeCloseTo(38.889, 3);
    expect(body.total.previous.nps.nps).toBe(-25);
    expect(body.total.change.arrow).toBe('up');
    const email = body.segments.find((row: { key: string }) => row.key === 'email');
    const phone = body.segments.find((row: { key: string }) => row.key === 'phone');
    expect(email.current.nps.nps).toBeCloseTo(44, 10);
    expect(email.previous.nps.n).toBe(40);
    expect(phone.previous.nps.n).toBe(0);
    expect(phone.change.arrow).toBe('none');
  });

  it('says when there is no previous wave', async () => {
    const { status, body } = await get(`/api/analytics/waves?campaignId=${ids.c0}`);
    expect(status).toBe(409);
    expect(body.error.code).toBe('CONFLICT');
  });
});

describe('follow-up tasks', () => {
  it('counts open and overdue tasks per employee', async () => {
    const db = t.database.db;
    const day = 86_400_000;
    await db.insert(tables.followUpTasks).values([
      { subject: 'call', assigneeEmployeeId: ids.employee, dueAt: new Date(Date.now() - day) },
      { subject: 'call', assigneeEmployeeId: ids.employee, dueAt: new Date(Date.now() + day) },
      { subject: 'call', assigneeEmployeeId: ids.employee, dueAt: new Date(Date.now() - day), status: 'closed' },
      { subject: 'call', dueAt: new Date(Date.now() + 2 * day) },
    ]);
    const { body } = await get('/api/analytics/follow-up-tasks');
    expect(body.rows).toEqual([
      expect.objectContaining({ employeeId: ids.employee, name: 'Eva Smit', open: 2, overdue: 1 }),
      expect.objectContaining({ employeeId: null, name: '(unassigned)', open: 1, overdue: 0 }),
    ]);
    const text = await t.app.inject({ method: 'GET', url: '/api/analytics/follow-up-tasks.csv', headers: t.auth });
    expect(text.body.split('\r\n')[0]).toMatch(/^employee_id,name,email,open,overdue,oldest_due_at,escalated,closed,closed_within_due_pct,/);
  });

  it('says how fast the loop closes (first action, close: median and p90; closed by the due day), per campaign and period, under the filters', async () => {
    const db = t.database.db;
    const hour = 3_600_000;
    const created = new Date('2026-03-02T09:00:00Z');
    const at = (hours: number) => new Date(created.getTime() + hours * hour);
    const task = (hoursToAct: number, hoursToClose: number | null, dueHours: number, extra: object = {}) => ({
      subject: 'call',
      assigneeEmployeeId: ids.employee,
      campaignId: ids.c1,
      surveyId: ids.s1,
      createdAt: created,
      dueAt: at(dueHours),
      firstActionAt: at(hoursToAct),
      ...(hoursToClose === null ? {} : { status: 'closed' as const, completedAt: at(hoursToClose), outcome: 'resolved' as const }),
      ...extra,
    });
    await db.insert(tables.followUpTasks).values([
      task(2, 10, 48),
      task(4, 20, 48),
      task(6, 60, 48),
      task(8, 100, 48),
      task(10, null, 48, { escalatedAt: at(120) }),
    ]);
    const { status, body } = await get(`/api/analytics/follow-up-tasks?campaignId=${ids.c1}&from=2026-03-01&to=2026-03-31`);
    expect(status).toBe(200);
    const figures = {
      open: 1,
      overdue: 1,
      escalated: 1,
      closed: 4,
      closedWithinDuePct: 50,
      firstActionMedianHours: 6,
      firstActionP90Hours: 9.2,
      closeMedianHours: 40,
      closeP90Hours: 88,
    };
    expect(body.totals).toEqual(figures);
    expect(body.rows).toEqual([expect.objectContaining({ employeeId: ids.employee, ...figures })]);
    expect(body.campaigns).toEqual([expect.objectContaining({ campaignId: ids.c1, name: 'May wave', ...figures })]);
    expect(body.periods).toEqual([expect.objectContaining({ period: '2026-03', ...figures })]);
    // Other filters leave them out.
    expect((await get(`/api/analytics/follow-up-tasks?campaignId=${ids.c0}`)).body.totals.closed).toBe(0);
    expect((await get('/api/analytics/follow-up-tasks?to=2026-02-28')).body.campaigns).toEqual([]);
    expect((await get('/api/analytics/follow-up-tasks?from=2026-02-30')).status).toBe(400);
  });
});

describe('CSV', () => {
  it('exports a report as CSV', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/analytics/trend.csv?surveyId=${ids.s1}&unit=month&date=2026-05-15&count=2`,
      headers: t.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const [header, april, may] = response.body.split('\r\n');
    expect(header!.split(',').slice(0, 9)).toEqual(['period', 'from', 'to', 'responses', 'nps_answers', 'promoters', 'passives', 'detractors', 'nps']);
    expect(april!.split(',').slice(0, 9)).toEqual(['2026-04', '2026-04-01', '2026-04-30', '40', '40', '10', '10', '20', '-25']);
    expect(may!.split(',').slice(0, 9)).toEqual(['2026-05', '2026-05-01', '2026-05-31', '40', '36', '20', '10', '6', '38.89']);
    expect(may!.split(',').at(-1)).toBe('up');
  });

  it('exports a report for Dutch Excel with dialect=excel: byte-order mark, semicolons, decimal commas', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: `/api/analytics/trend.csv?surveyId=${ids.s1}&unit=month&date=2026-05-15&count=2&dialect=excel`,
      headers: t.auth,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body.startsWith('\uFEFFperiod;from;to;')).toBe(true);
    const may = response.body.split('\r\n')[2]!;
    expect(may.split(';').slice(0, 9)).toEqual(['2026-05', '2026-05-01', '2026-05-31', '40', '36', '20', '10', '6', '38,89']);
    const unknown = await t.app.inject({ method: 'GET', url: `/api/analytics/trend.csv?surveyId=${ids.s1}&dialect=lotus`, headers: t.auth });
    expect(unknown.statusCode).toBe(400);
  });

  it('exports responses with projected record fields, escaped and guarded against formulas', async () => {
    await addResponses(t.database.db, [
      {
        surveyId: ids.s3,
        at: '2026-06-01T22:30:00Z',
        nps: 7,
        rating: 4.5,
        channel: 'web',
        answers: { nps: 7, topics: ['price', 'speed'] },
        recordFields: {
          note: '=HYPERLINK("http://x")',
          city: 'Amsterdam, NL',
          quote: 'say "hi"',
          multi: 'line1\nline2',
          amount: -5,
          text: '-5',
          at: '@SUM(A1)',
          plus: '+31 20',
        },
      },
    ]);
    const response = await t.app.inject({ method: 'GET', url: `/api/analytics/responses/export.csv?surveyId=${ids.s3}`, headers: t.auth });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe('attachment; filename="responses.csv"');
    const [header, ...rest] = response.body.split('\r\n');
    const columns = header!.split(',');
    expect(columns.slice(-10)).toEqual([
      'field:amount',
      'field:at',
      'field:city',
      'field:multi',
      'field:note',
      'field:plus',
      'field:quote',
      'field:text',
      'answer:nps',
      'answer:topics',
    ]);
    expect(rest).toHaveLength(2); // one line and the empty string after the final CRLF
    const line = rest[0]!;
    expect(line).toContain(',2026-06-01T22:30:00.000Z,2026-06-02,'); // local date in Amsterdam
    expect(line).toContain(',7,passive,4.5,');
    expect(line.endsWith(`,-5,'@SUM(A1),"Amsterdam, NL","line1\nline2","'=HYPERLINK(""http://x"")",'+31 20,"say ""hi""",'-5,7,"price; speed"`)).toBe(true);

    const none = await t.app.inject({ method: 'GET', url: `/api/analytics/responses/export.csv?surveyId=${ids.s3}&from=2026-01-01&to=2026-01-31`, headers: t.auth });
    expect(none.body.split('\r\n')).toHaveLength(2);
  });
});

describe('settings', () => {
  it('reads and changes the reporting time zone and minimum sample', async () => {
    expect((await get('/api/analytics/settings')).body).toEqual({ timeZone: 'Europe/Amsterdam', minSample: 30 });
    const bad = await t.app.inject({ method: 'PUT', url: '/api/analytics/settings', headers: t.auth, payload: { timeZone: 'Mars/Olympus' } });
    expect(bad.statusCode).toBe(400);
    const changed = await t.app.inject({ method: 'PUT', url: '/api/analytics/settings', headers: t.auth, payload: { minSample: 50 } });
    expect(changed.json()).toMatchObject({ minSample: 50, rebuilt: null });
    const kpi = (await get(`/api/analytics/kpi?surveyId=${ids.s1}&period=month&date=2026-05-15`)).body;
    expect(kpi.nps).toMatchObject({ n: 36, reliable: false, minSample: 50 });
    expect(kpi.change.arrow).toBe('none');
    await t.app.inject({ method: 'PUT', url: '/api/analytics/settings', headers: t.auth, payload: { minSample: 30 } });
  });
});
