import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { ensureRetentionSchedule, RETENTION_SCHEDULE_ID } from '../../retention';
import type { DevServer } from '../../temporal/dev-server';
import { connectClient } from '../../temporal/connection';
import { startTestDevServer } from '../support/stack';

/*
 * The daily schedule on a real dev server (the time-skipping test server has no schedules):
 * created once, brought up to date by every later start, an operator's pause kept.
 */

describe('retention schedule', () => {
  let temporal: DevServer | undefined;
  let stateDir: string;
  let client: Client;

  beforeAll(async () => {
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'npsflow-retention-schedule-'));
    temporal = await startTestDevServer(stateDir);
    client = await connectClient(loadConfig({ NODE_ENV: 'test', TEMPORAL_ADDRESS: temporal.address }).temporal, temporal.address);
  }, 120_000);
  afterAll(async () => {
    await client?.connection.close();
    await temporal?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('is created once, runs the retention workflow daily, and takes new periods at the next start', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.retention).toEqual({ outboxBodyDays: 30, emailEventDays: 365, auditDays: 730 });
    // Two processes starting at once.
    await Promise.all([
      ensureRetentionSchedule(client, { taskQueue: 'npsflow', periods: config.retention }),
      ensureRetentionSchedule(client, { taskQueue: 'npsflow', periods: config.retention }),
    ]);
    const schedules = [];
    for await (const schedule of client.schedule.list()) schedules.push(schedule.scheduleId);
    expect(schedules).toEqual([RETENTION_SCHEDULE_ID]);

    const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
    const created = await handle.describe();
    expect(created.action).toMatchObject({ type: 'startWorkflow', workflowType: 'retention', taskQueue: 'npsflow', args: [{ periods: config.retention }] });
    expect(created.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] })]);
    expect(created.info.nextActionTimes.length).toBeGreaterThan(0);

    // An operator pauses it in the UI; a restart with other periods updates it and keeps the pause.
    await handle.pause('maintenance');
    const changed = loadConfig({ NODE_ENV: 'test', RETENTION_OUTBOX_BODY_DAYS: '7', RETENTION_AUDIT_DAYS: '365' }).retention;
    await ensureRetentionSchedule(client, { taskQueue: 'npsflow', periods: changed });
    const updated = await handle.describe();
    expect(updated.action).toMatchObject({ args: [{ periods: { outboxBodyDays: 7, emailEventDays: 365, auditDays: 365 } }] });
    expect(updated.state).toMatchObject({ paused: true, note: 'maintenance' });
  }, 60_000);

  it('refuses a retention period that is not a whole number of days, naming the variable', () => {
    expect(() => loadConfig({ RETENTION_EMAIL_EVENT_DAYS: '0' })).toThrow(/RETENTION_EMAIL_EVENT_DAYS/);
    expect(() => loadConfig({ RETENTION_AUDIT_DAYS: 'forever' })).toThrow(/RETENTION_AUDIT_DAYS/);
  });
});
