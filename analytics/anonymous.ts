import { eq, or, sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import type { AnalyticsFilter, Dimension } from './counts';
import { AnalyticsInputError } from './input-error';

/*
 * An anonymous survey's answers name no campaign, client or frontline employee (responses/store.ts),
 * so a report of such a survey by or within one of those would count nothing and look like
 * silence. It is refused instead, with one message; by channel, request type and period works.
 */

const LINKED_DIMENSIONS = new Set<Dimension>(['campaign', 'client', 'employee']);

export const NOT_AVAILABLE_FOR_ANONYMOUS = 'not available for anonymous surveys: their answers name no campaign, client or employee';

/** Refuses a report that groups or filters an anonymous survey's answers by campaign, client or employee. */
export async function assertAvailableForAnonymous(db: Database, filter: AnalyticsFilter, by?: Dimension): Promise<void> {
  const linked = (by !== undefined && LINKED_DIMENSIONS.has(by)) || Boolean(filter.campaignId || filter.clientId || filter.employeeId);
  if (!linked || !(filter.surveyId || filter.campaignId)) return;
  const { surveys, campaigns } = tables;
  const [row] = await db
    .select({ one: sql<number>`1` })
    .from(surveys)
    .where(
      sql`${surveys.anonymous} and ${or(
        filter.surveyId ? eq(surveys.id, filter.surveyId) : undefined,
        filter.campaignId ? sql`${surveys.id} = (select ${campaigns.surveyId} from ${campaigns} where ${campaigns.id} = ${filter.campaignId})` : undefined,
      )}`,
    )
    .limit(1);
  if (row) throw new AnalyticsInputError(NOT_AVAILABLE_FOR_ANONYMOUS, 'anonymous');
}
