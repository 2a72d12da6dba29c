import { and, eq, getTableColumns } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { labelAnswers, type Answers } from '../domain/survey-definition';
import { chooseLanguage } from './language';

/*
 * One response as a reader sees it: its answers in the survey's question order with their
 * labels in the reader's language, and who gave it (contact, client, campaign, member).
 */

const { responses, surveys, surveyVersions, contacts, clients, campaigns, campaignMembers } = tables;
const { commentSearch: _search, ...responseColumns } = getTableColumns(responses);

/**
 * The response `id` labelled in `language` when the survey has it, else in the first of the
 * reader's Accept-Language the survey has, else in the language it was answered in; undefined
 * when there is no such response.
 */
export async function readResponse(db: Database, id: string, reader: { language?: string; acceptLanguage?: string }) {
  const [row] = await db
    .select({
      response: responseColumns,
      definition: surveyVersions.definition,
      survey: { id: surveys.id, title: surveys.title },
      contact: { id: contacts.id, firstName: contacts.firstName, lastName: contacts.lastName, email: contacts.email, language: contacts.language },
      client: { id: clients.id, name: clients.name },
      campaign: { id: campaigns.id, name: campaigns.name },
      member: { id: campaignMembers.id, status: campaignMembers.status },
    })
    .from(responses)
    .innerJoin(surveys, eq(surveys.id, responses.surveyId))
    .innerJoin(surveyVersions, and(eq(surveyVersions.surveyId, responses.surveyId), eq(surveyVersions.version, responses.surveyVersion)))
    .leftJoin(contacts, eq(contacts.id, responses.contactId))
    .leftJoin(clients, eq(clients.id, responses.clientId))
    .leftJoin(campaigns, eq(campaigns.id, responses.campaignId))
    .leftJoin(campaignMembers, eq(campaignMembers.id, responses.memberId))
    .where(eq(responses.id, id));
  if (!row) return undefined;
  const { response, definition, contact } = row;
  const language = chooseLanguage(definition.languages, [reader.language], reader.acceptLanguage, response.language);
  return {
    response,
    survey: row.survey,
    labelsLanguage: language,
    labelledAnswers: labelAnswers(definition, response.answers as Answers, language),
    contact: contact && {
      id: contact.id,
      name: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
      email: contact.email,
      language: contact.language,
    },
    client: row.client,
    campaign: row.campaign,
    member: row.member,
  };
}
