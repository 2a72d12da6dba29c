import { temporal } from '@temporalio/proto';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { startMemberWorkflow } from '../../campaigns';
import type { campaignMember } from '../../workflows';
import { changeSettingsUpdate, memberWorkflowId } from '../../workflows/definitions';
import { addCampaign, addMember } from '../support/campaign-fixtures';
import { useWorkflowTestbed } from '../support/temporal';
import { DAY, expectEveryHistoryReplays, invitationsOf, outboxOf, waitForStatus } from './helpers';

/*
 * A local activity that outlives its workflow task: the invitation waits for a row lock (a busy
 * database, an administrator's long transaction) for longer than 80 % of the 10 s workflow task
 * timeout, so the SDK completes the task and asks for another to keep it alive (a workflow task
 * heartbeat). The member must still be invited exactly once, and the history, with its extra
 * workflow tasks between the two local activities, must replay on the current code.
 */
const testbed = useWorkflowTestbed();

describe('a local activity slower than the workflow task timeout', () => {
  it('invites the member once, and the history replays', async () => {
    const campaign = await addCampaign(testbed.database.db, { reminders: 1 });
    const member = await addMember(testbed.database.db, campaign);

    await whileTheInvitationWaits(member, async () => {
      // Keep it waiting past the first workflow task heartbeat (8 s).
      await new Promise((resolve) => setTimeout(resolve, 9_000));
    });

    const handle = testbed.client.workflow.getHandle<typeof campaignMember>(memberWorkflowId(member.memberId));
    await waitForStatus(handle, 'Survey_Not_Started');
    const history = await handle.fetchHistory();
    const { EventType } = temporal.api.enums.v1;
    const types = (history.events ?? []).map((event) => event.eventType);
    const tasksBeforeEmail = types.slice(0, types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).filter((t) => t === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    expect(tasksBeforeEmail.length).toBeGreaterThan(1);
    expect(await invitationsOf(testbed.database.db, member.memberId)).toHaveLength(1);
    expect((await outboxOf(testbed.database.db, member.memberId)).map((m) => m.kind)).toEqual(['invitation']);
    await expectEveryHistoryReplays([{ workflowId: handle.workflowId, history }]);
  });

  it('an expiry changed while the invitation is being created reaches the invitation', async () => {
    const campaign = await addCampaign(testbed.database.db, { reminders: 1, expiryDays: 30 });
    const member = await addMember(testbed.database.db, campaign);
    const handle = testbed.client.workflow.getHandle<typeof campaignMember>(memberWorkflowId(member.memberId));

    await whileTheInvitationWaits(member, async () => {
      // Delivered with a heartbeat's workflow task while the local activity still waits.
      const changed = await handle.executeUpdate(changeSettingsUpdate, { args: [{ expiryDays: 5 }] });
      expect(changed.expiryDays).toBe(5);
    });

    const state = await waitForStatus(handle, 'Survey_Not_Started');
    const [invitation] = await invitationsOf(testbed.database.db, member.memberId);
    const fiveDaysAfterInvite = Date.parse(state.invitedAt!) + 5 * DAY;
    expect(state.expiresAt).toBe(new Date(fiveDaysAfterInvite).toISOString());
    expect(invitation!.expiresAt?.getTime()).toBe(fiveDaysAfterInvite);
    await expectEveryHistoryReplays([{ workflowId: handle.workflowId, history: await handle.fetchHistory() }]);
  });
});

/**
 * Starts the member's workflow while its row is held by another transaction (a busy database, an
 * administrator's long transaction), so the invitation's local activity waits for the lock;
 * runs `meanwhile`, then lets go.
 */
async function whileTheInvitationWaits(member: Awaited<ReturnType<typeof addMember>>, meanwhile: () => Promise<void>): Promise<void> {
  const blocker = postgres(testbed.database.url, { max: 2, onnotice: () => {} });
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holding = blocker.begin(async (tx) => {
    await tx`select id from campaign_members where id = ${member.memberId} for update`;
    locked();
    await released;
  });
  await isLocked;
  try {
    await startMemberWorkflow(testbed.client, member, { taskQueue: testbed.worker.taskQueue });
    await waitForLockWaiter(blocker);
    await meanwhile();
  } finally {
    release();
    await holding;
    await blocker.end();
  }
}

/** Waits until some other session waits for a lock (the local activity's FOR UPDATE). */
async function waitForLockWaiter(sql: postgres.Sql): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const [row] = await sql`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`;
    if ((row?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the local activity never waited for the lock');
}
