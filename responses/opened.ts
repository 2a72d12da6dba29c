import { and, eq, isNull } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { owe, type Owed } from '../signals/owed-signals';
import { memberWorkflowId, surveyOpenedSignal } from '../workflows/definitions';
import type { SurveyLink } from './links';

const { invitations } = tables;

/**
 * Records the first open of a link (the fact) and owes the signal for it: a campaign member's
 * workflow moves the member and its invitation to started. A link of its own (no member, no
 * workflow) is marked started here. Later opens change nothing.
 */
export async function recordOpened(db: Database, link: SurveyLink): Promise<Owed | undefined> {
  return db.transaction(async (tx) => {
    const [opened] = await tx
      .update(invitations)
      .set({ openedAt: new Date(), ...(link.invitation.memberId ? {} : { status: 'started' as const }) })
      .where(and(eq(invitations.id, link.invitation.id), isNull(invitations.openedAt), eq(invitations.status, 'not_started')))
      .returning({ memberId: invitations.memberId });
    if (!opened?.memberId) return undefined;
    return owe(tx, surveyOpenedSignal, memberWorkflowId(opened.memberId));
  });
}
