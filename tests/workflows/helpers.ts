import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HistoryAndWorkflowId, WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { asc, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { tables, type Database } from '../../db';
import type { MemberStatus } from '../../domain/member-status';
import { memberStateQuery, type MemberState } from '../../workflows/definitions';
import { workflowBundle } from '../support/temporal';

export const DAY = 86_400_000;

/** Polls the member's query until `accept` holds (real time; the test server's clock stays put). */
export async function waitForState(
  handle: WorkflowHandle,
  accept: (state: MemberState) => boolean,
  timeoutMs = 15_000,
): Promise<MemberState> {
  const deadline = Date.now() + timeoutMs;
  let last: MemberState | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(memberStateQuery);
      if (accept(last)) return last;
    } catch {
      // not started yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`member never reached the expected state; last: ${JSON.stringify(last)}`);
}

export const waitForStatus = (handle: WorkflowHandle, status: MemberStatus, timeoutMs?: number) =>
  waitForState(handle, (s) => s.status === status, timeoutMs);

export async function outboxOf(db: Database, memberId: string) {
  return db.select().from(tables.emailOutbox).where(eq(tables.emailOutbox.memberId, memberId)).orderBy(asc(tables.emailOutbox.requestedAt), asc(tables.emailOutbox.createdAt));
}

export async function invitationsOf(db: Database, memberId: string) {
  return db.select().from(tables.invitations).where(eq(tables.invitations.memberId, memberId));
}

export async function memberRow(db: Database, memberId: string) {
  const [row] = await db.select().from(tables.campaignMembers).where(eq(tables.campaignMembers.id, memberId));
  return row!;
}

export async function contactRow(db: Database, contactId: string) {
  const [row] = await db.select().from(tables.contacts).where(eq(tables.contacts.id, contactId));
  return row!;
}

/** Replays the histories on the current workflow code; any non-determinism fails the test. */
export async function expectEveryHistoryReplays(histories: HistoryAndWorkflowId[]) {
  let replayed = 0;
  const byId = new Map(histories.map((h) => [h.workflowId, h.history]));
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
    if (result.error) {
      // Keep the failing history for diagnosis: replay it with Worker.runReplayHistory.
      const file = path.join(os.tmpdir(), `replay-failure-${result.workflowId}.json`);
      writeFileSync(file, JSON.stringify({ workflowId: result.workflowId, history: byId.get(result.workflowId) }));
      expect(result.error, `${result.workflowId} (history in ${file})`).toBeUndefined();
    }
    replayed++;
  }
  expect(replayed).toBe(histories.length);
}

/** Writes histories as replay fixtures, one JSON file per workflow, named in recording order. */
export function recordHistories(folder: string, histories: HistoryAndWorkflowId[]): void {
  mkdirSync(folder, { recursive: true });
  histories.forEach(({ workflowId, history }, i) => {
    const file = path.join(folder, `history-${String(i).padStart(2, '0')}.json`);
    writeFileSync(file, JSON.stringify({ workflowId, history }));
  });
}

/** The committed replay fixtures of one situation (tests/fixtures/histories/<situation>). */
export function committedHistories(situation: string): HistoryAndWorkflowId[] {
  const folder = fileURLToPath(new URL(`../fixtures/histories/${situation}/`, import.meta.url));
  return readdirSync(folder).map((file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as { workflowId: string; history: object };
    return { workflowId, history: temporal.api.history.v1.History.fromObject(history) };
  });
}
