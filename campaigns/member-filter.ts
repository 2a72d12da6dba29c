import { Type, type Static } from 'typebox';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { tables } from '../db';
import { MEMBER_STATUSES } from '../domain/member-status';

/*
 * The member list's filter. The same filter chooses the members of a bulk action ("all 4,312
 * matching"), so the list and the action can never disagree on who matches.
 */

export const memberFilterFields = {
  status: Type.Optional(Type.Union(MEMBER_STATUSES.map((s) => Type.Literal(s)))),
  frontlineEmployeeId: Type.Optional(Type.String({ format: 'uuid' })),
  clientId: Type.Optional(Type.String({ format: 'uuid' })),
  language: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  region: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'case-insensitive' })),
};

export const MemberFilter = Type.Object(memberFilterFields, {
  additionalProperties: false,
  description: "The member list's filter: every field given must hold",
});
export type MemberFilter = Static<typeof MemberFilter>;

const m = tables.campaignMembers;

/** The filter as one condition over `campaign_members`; the contact's fields through its row. */
export function memberFilterCondition(filter: MemberFilter): SQL | undefined {
  const contact: SQL[] = [];
  if (filter.frontlineEmployeeId) contact.push(sql`c.frontline_employee_id = ${filter.frontlineEmployeeId}::uuid`);
  if (filter.clientId) contact.push(sql`c.client_id = ${filter.clientId}::uuid`);
  if (filter.language) contact.push(sql`lower(c.language) = ${filter.language.toLowerCase()}`);
  if (filter.region) contact.push(sql`lower(c.region) = ${filter.region.toLowerCase()}`);
  return and(
    filter.status ? eq(m.status, filter.status) : undefined,
    contact.length
      ? sql`exists (select 1 from ${tables.contacts} c where c.id = ${m.contactId} and ${sql.join(contact, sql` and `)})`
      : undefined,
  );
}
