import { randomBytes, randomUUID } from 'node:crypto';
import { tables, type Database } from '../../db';
import { resolveCampaignSettings } from '../../domain/campaign-settings';

/** Rows for analytics tests, written straight to the tables (the triggers do the rest). */

export async function addSurvey(db: Database, title = 'Service survey') {
  const [survey] = await db.insert(tables.surveys).values({ title, status: 'active' }).returning();
  await db.insert(tables.surveyVersions).values({ surveyId: survey!.id, version: 1, definition: { questions: [] } as never });
  return survey!.id;
}

export async function addCampaign(db: Database, surveyId: string, name: string, previousCampaignId?: string) {
  const [campaign] = await db
    .insert(tables.campaigns)
    .values({ name, surveyId, previousCampaignId, settings: resolveCampaignSettings({}) })
    .returning();
  return campaign!.id;
}

export async function addClient(db: Database, name: string, frontlineEmployeeId?: string) {
  const [client] = await db.insert(tables.clients).values({ name, frontlineEmployeeId }).returning();
  return client!.id;
}

export async function addEmployee(db: Database, firstName: string) {
  const [employee] = await db
    .insert(tables.employees)
    .values({ email: `${firstName.toLowerCase()}-${randomUUID().slice(0, 8)}@company.example`, firstName, lastName: 'Smit' })
    .returning();
  return employee!.id;
}

export interface ResponseSpec {
  surveyId: string;
  at: string;
  nps: number | null;
  rating?: number | null;
  campaignId?: string;
  clientId?: string;
  employeeId?: string;
  channel?: string;
  requestType?: string;
  memberId?: string;
  recordFields?: Record<string, unknown>;
  answers?: Record<string, unknown>;
}

export interface InvitationSpec {
  surveyId: string;
  at: string;
  campaignId?: string;
  clientId?: string;
  channel?: string;
  requestType?: string;
  memberId?: string;
  /** Campaign invitations count once sent; default true. */
  sent?: boolean;
  completed?: boolean;
}

const token = () => randomBytes(32).toString('base64url');

export async function addInvitations(db: Database, specs: InvitationSpec[]): Promise<string[]> {
  if (specs.length === 0) return [];
  const rows = await db
    .insert(tables.invitations)
    .values(
      specs.map((spec) => ({
        token: token(),
        surveyId: spec.surveyId,
        campaignId: spec.campaignId,
        clientId: spec.clientId,
        memberId: spec.memberId,
        channel: spec.channel,
        requestType: spec.requestType,
        status: spec.completed ? ('completed' as const) : ('not_started' as const),
        sentAt: spec.sent === false ? null : new Date(spec.at),
        completedAt: spec.completed ? new Date(spec.at) : null,
        createdAt: new Date(spec.at),
      })),
    )
    .returning({ id: tables.invitations.id });
  return rows.map((row) => row.id);
}

/** Each response with its own completed invitation, sent the same moment. */
export async function addResponses(db: Database, specs: ResponseSpec[]): Promise<string[]> {
  if (specs.length === 0) return [];
  const invitationIds = await addInvitations(
    db,
    specs.map((spec) => ({ ...spec, completed: true })),
  );
  const rows = await db
    .insert(tables.responses)
    .values(
      specs.map((spec, index) => ({
        invitationId: invitationIds[index]!,
        surveyId: spec.surveyId,
        surveyVersion: 1,
        campaignId: spec.campaignId,
        clientId: spec.clientId,
        memberId: spec.memberId,
        frontlineEmployeeId: spec.employeeId,
        channel: spec.channel,
        requestType: spec.requestType,
        language: 'nl',
        answers: spec.answers ?? (spec.nps === null ? {} : { nps: spec.nps }),
        npsScore: spec.nps,
        ratingScore: spec.rating ?? null,
        recordFields: spec.recordFields ?? {},
        submittedAt: new Date(spec.at),
      })),
    )
    .returning({ id: tables.responses.id });
  return rows.map((row) => row.id);
}

/** `count` copies of a spec with the given NPS scores spread over them in turn. */
export function many<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

/**
 * NPS scores for p promoters, q passives, d detractors and s skipped answers, in that order.
 */
export function scores(promoters: number, passives: number, detractors: number, skipped = 0): (number | null)[] {
  return [
    ...many(promoters, (i) => (i % 2 ? 9 : 10)),
    ...many(passives, (i) => (i % 2 ? 7 : 8)),
    ...many(detractors, (i) => i % 7),
    ...many(skipped, () => null),
  ];
}
