import type { Database } from '../db';
import { csvLine, csvStart, type CsvDialect } from '../csv';
import { listMembers, type MemberCursor, type MemberListRow, type MemberSortQuery } from './member-list';
import type { MemberFilter } from './member-filter';

/*
 * A campaign's members as CSV: the member list's filter and sort, streamed a page at a time
 * through the list's own keyset, so the file holds exactly the members the list shows, in its
 * order, and a campaign of 100,000 members never sits in memory.
 */

const PAGE = 1000;

const COLUMNS = [
  'member_id',
  'first_name',
  'last_name',
  'email',
  'status',
  'status_changed_at',
  'invited_at',
  'scheduled_send_at',
  'last_communication_at',
  'reminders_sent',
  'frontline_employee',
  'frontline_employee_email',
  'client',
  'language',
  'region',
  'time_zone',
  'channel',
  'request_type',
  'entity_type',
  'entity_ref',
  'added_at',
] as const;

function line(row: MemberListRow): unknown[] {
  const { member, contact, frontlineEmployee } = row;
  return [
    member.id,
    contact.firstName,
    contact.lastName,
    contact.email,
    member.status,
    member.statusChangedAt,
    member.invitedAt,
    member.scheduledSendAt,
    member.lastCommunicationAt,
    member.remindersSent,
    frontlineEmployee ? `${frontlineEmployee.firstName} ${frontlineEmployee.lastName}`.trim() : null,
    frontlineEmployee?.email ?? null,
    row.clientName,
    contact.language,
    contact.region,
    contact.timeZone,
    member.channel,
    member.requestType,
    member.entityType,
    member.entityRef,
    member.createdAt,
  ];
}

export async function* exportMembersCsv(
  db: Database,
  campaignId: string,
  query: MemberSortQuery & { filter: MemberFilter },
  dialect?: CsvDialect,
): AsyncGenerator<string> {
  yield csvStart(dialect) + csvLine(COLUMNS, dialect);
  let cursor: MemberCursor | undefined;
  do {
    const page = await listMembers(db, campaignId, { ...query, limit: PAGE, cursor });
    yield page.rows.map((row) => csvLine(line(row), dialect)).join('');
    cursor = page.next ?? undefined;
  } while (cursor);
}
