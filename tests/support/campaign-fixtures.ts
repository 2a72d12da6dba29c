import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { tables, type Database } from '../../db';
import { resolveCampaignSettings, type CampaignSettingsInput } from '../../domain/campaign-settings';

/** A window open every hour of every day, no stagger: invitations go out at once. */
export const ALWAYS_OPEN: CampaignSettingsInput = {
  sendWindow: { startHour: 0, endHour: 24, weekdays: [1, 2, 3, 4, 5, 6, 7] },
  staggerMinutes: 0,
  defaultTimeZone: 'UTC',
};

export async function addEmployee(db: Database, firstName = 'Erin') {
  const [employee] = await db
    .insert(tables.employees)
    .values({ email: `${firstName.toLowerCase()}-${randomUUID()}@company.example`, firstName, lastName: 'Employee' })
    .returning();
  return employee!;
}

export interface CampaignFixture {
  campaignId: string;
  surveyId: string;
  ownerId: string;
}

export async function addCampaign(
  db: Database,
  settings: CampaignSettingsInput,
  options: { mode?: 'wave' | 'always_on'; ownerId?: string } = {},
): Promise<CampaignFixture> {
  const ownerId = options.ownerId ?? (await addEmployee(db, 'Olivia')).id;
  const [survey] = await db.insert(tables.surveys).values({ title: 'Customer satisfaction', status: 'active' }).returning();
  await db.insert(tables.surveyVersions).values({
    surveyId: survey!.id,
    version: 1,
    definition: { questions: [] } as never,
  });
  const [campaign] = await db
    .insert(tables.campaigns)
    .values({
      name: `Campaign ${randomUUID().slice(0, 8)}`,
      surveyId: survey!.id,
      mode: options.mode ?? 'wave',
      ownerEmployeeId: ownerId,
      settings: resolveCampaignSettings({ ...ALWAYS_OPEN, ...settings }),
    })
    .returning();
  return { campaignId: campaign!.id, surveyId: survey!.id, ownerId };
}

export type ContactOverrides = Partial<typeof tables.contacts.$inferInsert>;

export async function addMember(db: Database, campaign: CampaignFixture, contact: ContactOverrides = {}) {
  const [created] = await db
    .insert(tables.contacts)
    .values({ email: `ann-${randomUUID()}@customer.example`, firstName: 'Ann', lastName: 'Jansen', language: 'nl', ...contact })
    .returning();
  const [member] = await db
    .insert(tables.campaignMembers)
    .values({ campaignId: campaign.campaignId, contactId: created!.id })
    .returning();
  return { memberId: member!.id, contactId: created!.id, campaignId: campaign.campaignId, contact: created! };
}

/** An answer as the public form records it: the response and its invitation's completion (the workflow hears of it by signal). */
export async function submitResponse(db: Database, invitationId: string, npsScore: number): Promise<string> {
  const [invitation] = await db
    .update(tables.invitations)
    .set({ status: 'completed', completedAt: sql`now()`, openedAt: sql`coalesce(${tables.invitations.openedAt}, now())` })
    .where(eq(tables.invitations.id, invitationId))
    .returning();
  const [response] = await db
    .insert(tables.responses)
    .values({
      invitationId,
      surveyId: invitation!.surveyId,
      surveyVersion: 1,
      campaignId: invitation!.campaignId,
      memberId: invitation!.memberId,
      contactId: invitation!.contactId,
      language: invitation!.language ?? 'nl',
      answers: { nps: npsScore },
      npsScore,
    })
    .returning();
  return response!.id;
}
