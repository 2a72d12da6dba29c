import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { startMemberWorkflow } from '../campaigns';
import { tables, type Database } from '../db';
import type { TemporalHandle } from './app';
import { ApiError, badRequest, FOREIGN_KEY_VIOLATION, sqlState } from './errors';
import type { MemberInput } from './schemas/campaigns';

/** Runs `task` over `items` with at most `limit` in flight. */
export async function eachWithConcurrency<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export interface AddMembersResult {
  added: number;
  alreadyMembers: number;
  /** Members whose lifecycle started at once (always-on campaigns). */
  started: number;
  memberIds: string[];
}

/**
 * Adds members in one transaction: contact data is upserted by externalRef, the unique
 * (campaign, contact) constraint makes adding a contact twice harmless. For a live always-on
 * campaign each new member's workflow starts right away.
 */
export async function addMembers(
  db: Database,
  temporal: TemporalHandle | undefined,
  campaign: { id: string; mode: 'wave' | 'always_on'; status: string },
  inputs: MemberInput[],
): Promise<AddMembersResult> {
  const result = await db
    .transaction(async (tx) => {
      const contactIds: string[] = [];
      for (const [index, input] of inputs.entries()) {
        if ('contactId' in input) {
          contactIds.push(input.contactId);
          continue;
        }
        const { externalRef, ...fields } = input.contact;
        const values = {
          ...fields,
          externalRef,
          ...(fields.optedOut ? { optedOutAt: new Date() } : {}),
        };
        const [row] = await tx
          .insert(tables.contacts)
          .values(values)
          .onConflictDoUpdate({ target: tables.contacts.externalRef, set: fields })
          .returning({ id: tables.contacts.id })
          .catch((error: unknown) => {
            throw sqlState(error) === FOREIGN_KEY_VIOLATION
              ? badRequest(`members[${index}].contact refers to an unknown client or employee`)
              : error;
          });
        contactIds.push(row!.id);
      }
      const known = await tx
        .select({ id: tables.contacts.id })
        .from(tables.contacts)
        .where(inArray(tables.contacts.id, [...new Set(contactIds)]));
      const knownIds = new Set(known.map((r) => r.id));
      const unknown = contactIds.findIndex((id) => !knownIds.has(id));
      if (unknown >= 0) throw badRequest(`members[${unknown}].contactId: no contact ${contactIds[unknown]}`);

      const rows = inputs.map((input, i) => ({
        campaignId: campaign.id,
        contactId: contactIds[i]!,
        entityType: input.entityType ?? null,
        entityRef: input.entityRef ?? null,
        channel: input.channel ?? null,
        requestType: input.requestType ?? null,
      }));
      const inserted = await tx
        .insert(tables.campaignMembers)
        .values(rows)
        .onConflictDoNothing({ target: [tables.campaignMembers.campaignId, tables.campaignMembers.contactId] })
        .returning({ id: tables.campaignMembers.id, contactId: tables.campaignMembers.contactId });
      const all = await tx
        .select({ id: tables.campaignMembers.id, contactId: tables.campaignMembers.contactId })
        .from(tables.campaignMembers)
        .where(and(eq(tables.campaignMembers.campaignId, campaign.id), inArray(tables.campaignMembers.contactId, [...new Set(contactIds)])));
      const idByContact = new Map(all.map((m) => [m.contactId, m.id]));
      return { inserted, memberIds: contactIds.map((c) => idByContact.get(c)!) };
    });

  let started = 0;
  if (campaign.mode === 'always_on' && campaign.status === 'active' && result.inserted.length > 0) {
    try {
      if (!temporal) throw new Error('no Temporal client');
      await eachWithConcurrency(result.inserted, 16, async (member) => {
        await startMemberWorkflow(
          temporal.client,
          { memberId: member.id, campaignId: campaign.id, contactId: member.contactId },
          { taskQueue: temporal.taskQueue },
        );
        started += 1;
      });
    } catch {
      // The members are saved; a launch (idempotent) starts whoever has no workflow yet.
      throw new ApiError(
        503,
        'TEMPORAL_UNAVAILABLE',
        `members were saved but ${result.inserted.length - started} could not be started; POST /api/campaigns/${campaign.id}/launch starts them`,
        { memberIds: result.memberIds },
      );
    }
    await db
      .update(tables.campaignMembers)
      .set({ workflowStartedAt: sql`now()` })
      .where(and(inArray(tables.campaignMembers.id, result.inserted.map((m) => m.id)), isNull(tables.campaignMembers.workflowStartedAt)));
  }
  return {
    added: result.inserted.length,
    alreadyMembers: inputs.length - result.inserted.length,
    started,
    memberIds: result.memberIds,
  };
}
