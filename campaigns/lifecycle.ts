import { and, eq, inArray, ne } from 'drizzle-orm';
import { tables, type Transaction } from '../db';
import { requestOperation } from '../operations';
import type { Owed } from '../signals/owed-signals';

/*
 * A campaign's life: draft → launching → active ⇄ paused → closed. The command changes the
 * campaign row and, in the same transaction, requests the operation that tells its running
 * members; the members themselves also read the campaign's status before every email, so a
 * paused or closed campaign mails nothing even before its members have heard.
 */

type CampaignStatus = (typeof tables.campaignStatus.enumValues)[number];

export type LifecycleResult =
  | { changed: true; status: CampaignStatus; operationId: string; owed: Owed[] }
  | { changed: false; status: CampaignStatus | null };

async function transition(
  tx: Transaction,
  campaignId: string,
  from: CampaignStatus[],
  to: CampaignStatus,
  kind: 'pause' | 'resume' | 'close',
): Promise<LifecycleResult> {
  const c = tables.campaigns;
  const [row] = await tx
    .update(c)
    .set({ status: to, updatedAt: new Date() })
    .where(and(eq(c.id, campaignId), inArray(c.status, from)))
    .returning({ id: c.id });
  if (!row) {
    const [current] = await tx.select({ status: c.status }).from(c).where(eq(c.id, campaignId));
    return { changed: false, status: current?.status ?? null };
  }
  const { operationId, owed } = await requestOperation(tx, { kind, campaignId });
  return { changed: true, status: to, operationId, owed: [owed] };
}

/** Running members hold where they are (no invitation, no reminder) until the campaign is resumed. */
export const pauseCampaign = (tx: Transaction, campaignId: string) => transition(tx, campaignId, ['launching', 'active'], 'paused', 'pause');

/** Held members go on; a reminder that fell due meanwhile goes out in the next send window. */
export const resumeCampaign = (tx: Transaction, campaignId: string) => transition(tx, campaignId, ['paused'], 'active', 'resume');

/** Every member that has not finished ends as Campaign_Closed; a closed campaign stays closed. */
export const closeCampaign = (tx: Transaction, campaignId: string) =>
  transition(tx, campaignId, ['draft', 'launching', 'active', 'paused'], 'closed', 'close');

/** Closing a survey closes every campaign that uses it: its links take no answers any more. */
export async function closeCampaignsOfSurvey(tx: Transaction, surveyId: string): Promise<Owed[]> {
  const c = tables.campaigns;
  const open = await tx
    .select({ id: c.id })
    .from(c)
    .where(and(eq(c.surveyId, surveyId), ne(c.status, 'closed')));
  const owed: Owed[] = [];
  for (const { id } of open) {
    const result = await closeCampaign(tx, id);
    if (result.changed) owed.push(...result.owed);
  }
  return owed;
}
