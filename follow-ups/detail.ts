import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { tables, type Database } from '../db';
import { labelAnswers, type Answers, type SurveyDefinition } from '../domain/survey-definition';

const { followUpTasks: tasks, employees, contacts, clients, campaigns, surveys, responses, surveyVersions, invitations, followUpTaskEvents } = tables;
const assignee = alias(employees, 'assignee');

/** One answer as a reader sees it: the question's text and the answer, labelled, in the reader's language. */
export interface ReadableAnswer {
  questionId: string;
  type: string;
  question: string;
  /** The number, the text, or the chosen options' labels. */
  answer: string;
}

/** Every answered question in the survey's order, in `language` (else the survey's own languages). */
export function readableAnswers(definition: SurveyDefinition | null | undefined, answers: Record<string, unknown>, language: string): ReadableAnswer[] {
  if (!definition?.pages) return [];
  // Stored answers were validated against this definition when they were given.
  return labelAnswers(definition, answers as Answers, language)
    .filter((answer) => answer.text !== '')
    .map(({ questionId, type, question, text }) => ({ questionId, type, question, answer: text }));
}

/** A task with everything its page shows: the answers, the contact, the member's timeline and the notes. */
export async function loadTaskDetail(db: Database, taskId: string, readerLanguage: string | null) {
  const [row] = await db
    .select({
      task: tasks,
      assignee: { id: assignee.id, firstName: assignee.firstName, lastName: assignee.lastName, email: assignee.email },
      contact: contacts,
      client: { id: clients.id, name: clients.name },
      campaign: { id: campaigns.id, name: campaigns.name },
      survey: { id: surveys.id, title: surveys.title, defaultLanguage: surveys.defaultLanguage },
      response: responses,
    })
    .from(tasks)
    .leftJoin(assignee, eq(assignee.id, tasks.assigneeEmployeeId))
    .leftJoin(contacts, eq(contacts.id, tasks.contactId))
    .leftJoin(clients, eq(clients.id, tasks.clientId))
    .leftJoin(campaigns, eq(campaigns.id, tasks.campaignId))
    .leftJoin(surveys, eq(surveys.id, tasks.surveyId))
    .leftJoin(responses, eq(responses.id, tasks.responseId))
    .where(eq(tasks.id, taskId));
  if (!row) return undefined;

  let answers: ReadableAnswer[] = [];
  if (row.response) {
    const [version] = await db
      .select({ definition: surveyVersions.definition })
      .from(surveyVersions)
      .where(and(eq(surveyVersions.surveyId, row.response.surveyId), eq(surveyVersions.version, row.response.surveyVersion)));
    answers = readableAnswers(version?.definition, row.response.answers, readerLanguage ?? row.response.language);
  }

  const timeline = row.task.memberId
    ? await db
        .select({ sentAt: invitations.sentAt, openedAt: invitations.openedAt, completedAt: invitations.completedAt, createdAt: invitations.createdAt, status: invitations.status })
        .from(invitations)
        .where(eq(invitations.memberId, row.task.memberId))
        .orderBy(asc(invitations.createdAt))
    : [];
  const history = await db.select().from(followUpTaskEvents).where(eq(followUpTaskEvents.taskId, taskId)).orderBy(asc(followUpTaskEvents.at));
  return { ...row, answers, timeline, history };
}

export type TaskDetail = NonNullable<Awaited<ReturnType<typeof loadTaskDetail>>>;
