import { and, eq, inArray } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import { oweWithStart, type Owed } from '../signals/owed-signals';
import { launchRequestedSignal, launchWorkflowId } from '../workflows/definitions';
import { FOREIGN_KEY_VIOLATION, sqlState } from '../db/sql-errors';
import { normaliseContactFields, type FieldProblem } from '../contacts/values';

/** The interaction a member was added for (always-on campaigns: one member per contact moment). */
export interface MemberInteraction {
  entityType?: 'contactmoment' | 'request' | 'client';
  entityRef?: string;
  channel?: string;
  requestType?: string;
}

/** An existing contact, or contact data upserted by its externalRef. */
export type MemberInput = (
  | { contactId: string }
  | { contact: Partial<typeof tables.contacts.$inferInsert> & { externalRef: string } }
) &
  MemberInteraction;

/** A member the caller named that cannot be added; `message` names the member by its index. */
export class MemberInputError extends Error {}

export interface AddMembersResult {
  added: number;
  alreadyMembers: number;
  /** New members of a launched campaign, whose start was asked of the campaign's launch at once. */
  starting: number;
  memberIds: string[];
  /** The launch request owed for them; the caller delivers it after the commit. */
  owed: Owed[];
}

/** A campaign whose launch has begun and that still runs: members added to it start at once. */
export const isLaunched = (campaign: { status: string; launchedAt: Date | null }): boolean =>
  campaign.launchedAt !== null && campaign.status !== 'closed' && campaign.status !== 'draft';

/** Asks the campaign's launch to start members that have no workflow yet (delivered after the commit). */
export const oweLaunchRequest = (tx: Transaction, campaignId: string): Promise<Owed> =>
  oweWithStart(tx, launchRequestedSignal, {
    workflowId: launchWorkflowId(campaignId),
    workflowType: 'campaignLaunch',
    args: [{ campaignId }],
  });

/**
 * Adds members in one transaction: contact data is upserted by externalRef, the unique
 * (campaign, contact) constraint makes adding a contact twice harmless. Members added to a
 * launched campaign (a wave after its launch, or always-on after an interaction) are started by
 * the campaign's launch workflow, asked for in the same transaction through the owed-signal
 * channel, so a Temporal outage delays them but never loses them.
 */
export async function addMembers(
  db: Database,
  campaign: { id: string; status: string; launchedAt: Date | null },
  inputs: MemberInput[],
): Promise<AddMembersResult> {
  const result = await db.transaction(async (tx) => {
      const contactIds: string[] = [];
      for (const [index, input] of inputs.entries()) {
        if ('contactId' in input) {
          contactIds.push(input.contactId);
          continue;
        }
        const problems: FieldProblem[] = [];
        const { externalRef, ...fields } = normaliseContactFields({ ...input.contact }, problems);
        if (problems.length) throw new MemberInputError(`members[${index}].contact.${problems[0]!.field}: ${problems[0]!.message}`);
        const values = {
          ...fields,
          externalRef,
          ...(fields.optedOut ? { optedOutAt: new Date() } : {}),
        };
        const [row] = await tx
          .insert(tables.contacts)
          .values(values)
          .onConflictDoUpdate({ target: tables.contacts.externalRef, set: { externalRef, ...fields } })
          .returning({ id: tables.contacts.id })
          .catch((error: unknown) => {
            throw sqlState(error) === FOREIGN_KEY_VIOLATION
              ? new MemberInputError(`members[${index}].contact refers to an unknown client or employee`)
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
      if (unknown >= 0) throw new MemberInputError(`members[${unknown}].contactId: no contact ${contactIds[unknown]}`);

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
      const launched = isLaunched(campaign);
      const owed = launched && inserted.length > 0 ? [await oweLaunchRequest(tx, campaign.id)] : [];
      return { inserted, memberIds: contactIds.map((c) => idByContact.get(c)!), owed, starting: launched ? inserted.length : 0 };
    });

  return {
    added: result.inserted.length,
    alreadyMembers: inputs.length - result.inserted.length,
    starting: result.starting,
    memberIds: result.memberIds,
    owed: result.owed,
  };
}
