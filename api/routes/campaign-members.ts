import { Readable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { addMembers, MemberInputError, rejectMember, reincludeMember } from '../../campaigns';
import { tables } from '../../db';
import { requestOperation } from '../../operations';
import { memberStateQuery, memberWorkflowId } from '../../workflows/definitions';
import { deliverInBackground } from '../../signals/deliver-in-background';
import { badRequest, conflict, notFound } from '../errors';
import { MemberFilter } from '../../campaigns/member-filter';
import { decodeMemberCursor, encodeMemberCursor, listMembers, loadMemberRow, MemberCursorError, type MemberListRow, type MemberSort } from '../../campaigns/member-list';
import { memberTimeline } from '../../campaigns/member-detail';
import { exportMembersCsv } from '../../campaigns/member-export';
import { csvDialect, sendCsv, withDialect } from '../csv-reply';
import { MemberTimeline } from '../schemas/campaign-members';
import { addSegment, INLINE_ADD_LIMIT, previewSegment } from '../../campaigns/segments';
import { AddMembersBody, AddMembersResult, Member, MemberActionBody, MemberExportQuery, MemberListQuery, SegmentAddOperation, SegmentBody, SegmentPreview } from '../schemas/campaigns';
import { CsvBody, IdParams, Page, errorResponses } from '../schemas/common';
import { loadCampaign, memberCounts, requireTemporal } from './campaigns';

const MemberParams = Type.Object({ id: Type.String({ format: 'uuid' }), memberId: Type.String({ format: 'uuid' }) });

const iso = (d: Date | null) => d?.toISOString() ?? null;
const personName = (p: { firstName: string; lastName: string; email?: string } | null) => (p ? `${p.firstName} ${p.lastName}`.trim() || p.email || null : null);
const toMember = ({ member, contact, clientName, frontlineEmployee }: MemberListRow) => ({
  ...member,
  scheduledSendAt: iso(member.scheduledSendAt),
  lastCommunicationAt: iso(member.lastCommunicationAt),
  workflowStartedAt: iso(member.workflowStartedAt),
  invitedAt: iso(member.invitedAt),
  statusChangedAt: member.statusChangedAt.toISOString(),
  createdAt: member.createdAt.toISOString(),
  updatedAt: member.updatedAt.toISOString(),
  contact: { ...contact, clientName, frontlineEmployeeName: personName(frontlineEmployee) },
});
/** A value as JSON carries it: times as ISO strings. */
type AsJson<T> = T extends Date ? string : T extends (infer I)[] ? AsJson<I>[] : T extends object ? { [K in keyof T]: AsJson<T[K]> } : T;
const asJson = <T>(value: T) => JSON.parse(JSON.stringify(value)) as AsJson<T>;

/** The list's sort and cursor from a query; a cursor of another sort is a 400. */
function listQuery(query: { cursor?: string; sort?: MemberSort; order?: 'asc' | 'desc' }) {
  const sort = { sort: query.sort, order: query.order ?? ('asc' as const) };
  try {
    return { ...sort, cursor: query.cursor ? decodeMemberCursor(query.cursor, sort) : undefined };
  } catch (error) {
    throw error instanceof MemberCursorError ? badRequest(error.message) : error;
  }
}

/** Campaign members: add (one or many), list with filters and counts, reject and reinclude. */
export const campaignMemberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['campaign members'];
  const security = [{ bearer: [] }];

  async function loadMember(campaignId: string, memberId: string): Promise<MemberListRow> {
    const row = await loadMemberRow(app.db, campaignId, memberId);
    if (!row) throw notFound('campaign member');
    return row;
  }

  app.post(
    '/:id/members',
    {
      schema: {
        tags,
        security,
        description:
          'Adds members by contact id or contact data (upserted by externalRef), or every contact of a segment. ' +
          'Members added to a launched campaign (wave or always-on) start at once (`starting`). ' +
          `A segment matching more than ${INLINE_ADD_LIMIT} contacts is added by an operation: 202 + GET /api/operations/:id.`,
        params: IdParams,
        body: AddMembersBody,
        response: { 200: AddMembersResult, 202: SegmentAddOperation, ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      if (campaign.status === 'closed') throw conflict('the campaign is closed');
      const { members, segment } = request.body;
      if (segment) {
        const { owed, ...result } = await addSegment(app.db, campaign, segment);
        deliverInBackground(app.db, app.temporal, request.log, owed);
        if (result.kind === 'operation') return reply.status(202).send({ operationId: result.operationId, matching: result.matching });
        return { added: result.added, alreadyMembers: result.alreadyMembers, starting: result.starting };
      }
      const { owed, ...result } = await addMembers(app.db, campaign, members!).catch((error: unknown) => {
        throw error instanceof MemberInputError ? badRequest(error.message) : error;
      });
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return result;
    },
  );

  app.post(
    '/:id/members/preview',
    {
      schema: {
        tags,
        security,
        description:
          'What adding the segment would do, without doing it: the contacts it matches, those already members, ' +
          'how many of the rest the sendability checks would end before an invitation (by status), and a sample.',
        params: IdParams,
        body: SegmentBody,
        response: { 200: SegmentPreview, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      return previewSegment(app.db, campaign, request.body.segment);
    },
  );

  app.get(
    '/:id/members',
    {
      schema: {
        tags,
        security,
        description: 'The members the filter matches, sorted (`sort`, `order`), a page at a time (keyset: pass `nextCursor` back with the same sort)',
        params: IdParams,
        querystring: MemberListQuery,
        response: { 200: Page(Member), ...errorResponses },
      },
    },
    async (request) => {
      await loadCampaign(app.db, request.params.id);
      const { limit = 50, cursor, sort, order, ...filter } = request.query;
      const page = await listMembers(app.db, request.params.id, { ...listQuery({ cursor, sort, order }), filter, limit });
      return { items: page.rows.map(toMember), nextCursor: page.next ? encodeMemberCursor(page.next) : null };
    },
  );

  app.get(
    '/:id/members/export.csv',
    {
      schema: {
        tags,
        security,
        description: 'Every member the filter matches, in the sort given, as CSV (the member list as a file)',
        params: IdParams,
        querystring: withDialect(MemberExportQuery),
        response: { 200: CsvBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      const { sort, order, dialect, ...filter } = request.query;
      const rows = exportMembersCsv(app.db, campaign.id, { ...listQuery({ sort, order }), filter }, csvDialect(dialect));
      return sendCsv(reply, `members-${campaignFileName(campaign.name)}`, Readable.from(rows));
    },
  );

  app.get(
    '/:id/members/counts',
    {
      schema: {
        tags,
        security,
        description: "Members per status, of those the member list's filter matches (all without one)",
        params: IdParams,
        querystring: MemberFilter,
        response: { 200: Type.Record(Type.String(), Type.Integer()), ...errorResponses },
      },
    },
    async (request) => {
      await loadCampaign(app.db, request.params.id);
      return memberCounts(app.db, request.params.id, request.query);
    },
  );

  app.get(
    '/:id/members/:memberId',
    {
      schema: {
        tags,
        security,
        description:
          "The member, its workflow's live state when it is running, and its timeline from the records: statuses with their times, " +
          'survey links, emails with their dispatch outcome and provider events, answers and follow-up tasks, and the time zone its sending is planned in',
        params: MemberParams,
        response: { 200: Type.Intersect([Member, MemberTimeline]), ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      const row = await loadMember(request.params.id, request.params.memberId);
      let workflow: Record<string, unknown> | null = null;
      if (app.temporal && row.member.workflowStartedAt) {
        workflow = (await app.temporal.client.workflow
          .getHandle(memberWorkflowId(row.member.id))
          .query(memberStateQuery)
          .catch(() => null)) as Record<string, unknown> | null;
      }
      const timeline = asJson(await memberTimeline(app.db, row, campaign.settings));
      return { ...toMember(row), workflow, ...timeline };
    },
  );

  app.post(
    '/:id/members/:memberId/reject',
    {
      schema: {
        tags,
        security,
        description: "Takes the member out of the campaign (Rejected); a running member's workflow confirms it. 409 once the member has finished.",
        params: MemberParams,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (request) => {
      const { member } = await loadMember(request.params.id, request.params.memberId);
      if (member.status === 'Rejected') return toMember(await loadMember(request.params.id, member.id));
      const outcome = await rejectMember(app.db, member.workflowStartedAt ? requireTemporal(app.temporal).client : undefined, member.id);
      if (outcome.outcome === 'refused') throw conflict(outcome.reason);
      return toMember(await loadMember(request.params.id, request.params.memberId));
    },
  );

  app.post(
    '/:id/members/:memberId/reinclude',
    {
      schema: {
        tags,
        security,
        description: 'Takes a rejected member back: a fresh lifecycle with a new link when the campaign runs',
        params: MemberParams,
        response: { 200: Member, ...errorResponses },
      },
    },
    async (request) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      const { member } = await loadMember(request.params.id, request.params.memberId);
      const launched = campaign.launchedAt !== null && campaign.status !== 'closed';
      const temporal = member.workflowStartedAt && launched ? requireTemporal(app.temporal) : app.temporal;
      const outcome = await reincludeMember(app.db, temporal?.client, member.id, {
        taskQueue: temporal?.taskQueue ?? '',
        campaignLaunched: launched,
      });
      if (outcome.outcome === 'refused') throw conflict(outcome.reason);
      return toMember(await loadMember(request.params.id, request.params.memberId));
    },
  );

  app.post(
    '/:id/members/actions',
    {
      schema: {
        tags,
        security,
        description:
          'One action on many members, chosen by id or by the member list\'s filter ("all 4,312 matching"), as an operation ' +
          '(202 + GET /api/operations/:id, each member done, skipped with the reason, or failed): reject; reinclude (a rejected ' +
          'member); resend (a bounced member after its address changed, or an expired one: a fresh lifecycle with a new link); ' +
          "remove (only members of a campaign not yet launched; after that, reject); change_frontline_employee (of the members' contacts).",
        params: IdParams,
        body: MemberActionBody,
        response: { 202: Type.Object({ operationId: Type.String() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const campaign = await loadCampaign(app.db, request.params.id);
      const { action, memberIds, filter, frontlineEmployeeId } = request.body;
      if ((memberIds === undefined) === (filter === undefined)) throw badRequest('give either memberIds or filter');
      if ((action === 'change_frontline_employee') !== (frontlineEmployeeId !== undefined)) {
        throw badRequest('frontlineEmployeeId goes with the change_frontline_employee action, and only with it');
      }
      if (frontlineEmployeeId) {
        const [employee] = await app.db
          .select({ active: tables.employees.active })
          .from(tables.employees)
          .where(eq(tables.employees.id, frontlineEmployeeId));
        if (!employee?.active) throw badRequest('frontlineEmployeeId is not an active employee');
      }
      const { operationId, owed } = await app.db.transaction((tx) =>
        requestOperation(tx, {
          kind: action,
          campaignId: campaign.id,
          memberIds,
          params: { ...(filter ? { filter } : {}), ...(frontlineEmployeeId ? { frontlineEmployeeId } : {}) },
        }),
      );
      deliverInBackground(app.db, app.temporal, request.log, owed);
      return reply.status(202).send({ operationId });
    },
  );
};

/** A campaign's name as a safe file name part. */
const campaignFileName = (name: string) => name.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase().slice(0, 60) || 'campaign';
