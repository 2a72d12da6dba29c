import { and, eq, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { tables, type Database, type Transaction } from '../db';
import { UNFINISHED_STATUSES } from '../domain/member-status';
import { allQuestions, projectRecordFields, commentOf, type Answers } from '../domain/survey-definition';
import type { FollowUpActor } from '../domain/follow-up';
import { closeOldTask, commandTask, type TemporalTarget } from '../follow-ups/commands';
import { deliverOwed, owe, type Owed } from '../signals/owed-signals';
import { closeFollowUpUpdate, contactErasedSignal, memberWorkflowId } from '../workflows/definitions';
import { SURVEY_EMAIL_KINDS } from '../email/mailer';
import { identifiersOf, redact, REDACTED } from './redaction';
import { getPrivacySettings, type PrivacySettings } from './settings';

/*
 * Erasure of a person (a contact): what names or reaches them is destroyed in ONE transaction —
 * the contact's fields, the outbox's addresses and bodies, the provider's events for the address,
 * the link from their answers — and their running member workflows are owed `contactErased` in
 * that same transaction (they alone write the member's status: Erased). Their open follow-up
 * tasks are then closed through each task's workflow. Counts stay: the contact row stays as an
 * anonymous tombstone, answers stay as anonymous answers, outbox rows stay without address or
 * body. Running it again finishes what an interrupted run left (owed signals, open tasks) and
 * changes nothing else.
 */

/** Who closes an erased person's tasks, as their history shows it. */
export const ERASURE_ACTOR: FollowUpActor = { employeeId: null, name: 'npsflow' };
export const ERASURE_NOTE = "Closed by the system: the contact's personal data was erased.";

export interface ErasureResult {
  contactId: string;
  erasedAt: string;
  /** The contact had been erased before this call (this one finished what was left). */
  alreadyErased: boolean;
  /** Running members told to end as Erased. */
  membersEnding: number;
  /** Open follow-up tasks closed as no_action_needed (and those whose workflow could not be reached). */
  tasksClosed: number;
  tasksLeftOpen: number;
  outboxMessagesBlanked: number;
  emailEventsPurged: number;
  responsesAnonymised: number;
}

const {
  contacts,
  campaignMembers: members,
  invitations,
  responses,
  surveyVersions,
  followUpTasks: tasks,
  followUpTaskEvents: taskEvents,
  emailOutbox: outbox,
  emailBatches: batches,
  emailEvents,
} = tables;

/** Erases the contact; null when there is no such contact. */
export async function eraseContact(db: Database, temporal: TemporalTarget | undefined, contactId: string): Promise<ErasureResult | null> {
  const erased = await db.transaction(async (tx) => {
    // Members first, then the person, the order a member's invite step takes them in (it locks
    // its member, then the person while it queues their email): an invite under way finishes
    // before the erasure blanks its email, and one after it queues nothing of theirs.
    const memberIds = (await tx.select({ id: members.id }).from(members).where(eq(members.contactId, contactId)).for('update')).map((row) => row.id);
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for('update');
    if (!contact) return null;
    const settings = await getPrivacySettings(tx);
    const identifiers = identifiersOf(contact);
    const ofPerson = (contactColumn: AnyPgColumn, memberColumn: AnyPgColumn): SQL =>
      or(eq(contactColumn, contactId), memberIds.length ? inArray(memberColumn, memberIds) : undefined)!;

    const outboxMessagesBlanked = await blankOutbox(tx, contact.email, ofPerson(outbox.contactId, outbox.memberId), identifiers);
    const emailEventsPurged = await purgeEmailEvents(tx, contact.email, ofPerson(outbox.contactId, outbox.memberId));
    const responsesAnonymised = await anonymiseResponses(tx, ofPerson(responses.contactId, responses.memberId), settings);
    // Each step touches only rows that still hold something of the person: erasing again changes nothing.
    await tx
      .update(invitations)
      .set({ entityRef: null, ...(settings.erasureKeepsClientLink ? {} : { clientId: null }) })
      .where(and(ofPerson(invitations.contactId, invitations.memberId), or(isNotNull(invitations.entityRef), settings.erasureKeepsClientLink ? undefined : isNotNull(invitations.clientId))));
    const openTaskIds = await scrubTasks(tx, ofPerson(tasks.contactId, tasks.memberId), identifiers, settings);
    if (memberIds.length) await tx.update(members).set({ entityRef: null }).where(and(inArray(members.id, memberIds), isNotNull(members.entityRef)));
    const owed = await endRunningMembers(tx, contactId);

    const blank = contact.erasedAt !== null && identifiers.length === 0 && !contact.language && !contact.timeZone && !contact.region;
    const keepsLinks = settings.erasureKeepsClientLink || (!contact.clientId && !contact.frontlineEmployeeId);
    if (blank && keepsLinks) {
      return { alreadyErased: true, erasedAt: contact.erasedAt!.toISOString(), owed, openTaskIds, outboxMessagesBlanked, emailEventsPurged, responsesAnonymised };
    }
    const [tombstone] = await tx
      .update(contacts)
      .set({
        externalRef: null,
        email: null,
        firstName: '',
        lastName: '',
        phone: null,
        language: null,
        timeZone: null,
        region: null,
        ...(settings.erasureKeepsClientLink ? {} : { clientId: null, frontlineEmployeeId: null }),
        erasedAt: sql`coalesce(${contacts.erasedAt}, now())`,
      })
      .where(eq(contacts.id, contactId))
      .returning({ erasedAt: contacts.erasedAt });
    return {
      alreadyErased: contact.erasedAt !== null,
      erasedAt: tombstone!.erasedAt!.toISOString(),
      owed,
      openTaskIds,
      outboxMessagesBlanked,
      emailEventsPurged,
      responsesAnonymised,
    };
  });
  if (!erased) return null;

  await deliverOwed(db, temporal, erased.owed);
  const closed = await closeTasks(db, temporal, erased.openTaskIds);
  return {
    contactId,
    erasedAt: erased.erasedAt,
    alreadyErased: erased.alreadyErased,
    membersEnding: erased.owed.length,
    tasksClosed: closed,
    tasksLeftOpen: erased.openTaskIds.length - closed,
    outboxMessagesBlanked: erased.outboxMessagesBlanked,
    emailEventsPurged: erased.emailEventsPurged,
    responsesAnonymised: erased.responsesAnonymised,
  };
}

/** An outbox row kept as the record of a message: its body and headers (the survey link) gone. */
const WITHOUT_CONTENT = { html: '', text: '', headers: {} };

/**
 * The person's messages keep their row (the record that something was sent, and when) without
 * address, body or headers (which carry the survey link). One still queued is withheld here; one
 * in a batch the dispatcher is sending right now is left to it (a retry must send the identical
 * batch), and blanked when it records the provider's answer: blankMessagesOfErased.
 */
async function blankOutbox(tx: Transaction, email: string | null, ofPerson: SQL, identifiers: string[]): Promise<number> {
  const toPerson = email ? sql`lower(${outbox.toAddress}) = lower(${email})` : undefined;
  const inFlight = sql`${outbox.batchId} in (select ${batches.id} from ${batches} where ${batches.status} = 'sending')`;
  const rows = await tx
    .select({ id: outbox.id, subject: outbox.subject, toAddress: outbox.toAddress, status: outbox.status, batchId: outbox.batchId })
    .from(outbox)
    .where(
      and(
        or(ofPerson, toPerson),
        or(isNull(outbox.batchId), sql`not (${inFlight})`),
        or(ne(outbox.html, ''), ne(outbox.text, ''), sql`${outbox.headers} <> '{}'::jsonb`, toPerson, and(eq(outbox.status, 'queued'), isNull(outbox.batchId))),
      ),
    );
  let blanked = 0;
  for (const row of rows) {
    const toThem = email !== null && row.toAddress.toLowerCase() === email.toLowerCase();
    const subject = redact(row.subject, identifiers);
    await tx
      .update(outbox)
      .set({
        ...WITHOUT_CONTENT,
        subject,
        ...(toThem ? { toAddress: '' } : {}),
        ...(row.status === 'queued' && row.batchId === null ? { status: 'withheld' as const, outcome: 'Erased' } : {}),
      })
      .where(eq(outbox.id, row.id));
    blanked += 1;
  }
  return blanked;
}

/**
 * A settled batch's messages about someone erased while it was on its way: blanked like the rest
 * of theirs. The names in a subject left with the contact's fields, so the subject goes whole.
 */
export async function blankMessagesOfErased(tx: Transaction, batchId: string): Promise<void> {
  await tx
    .update(outbox)
    .set({
      ...WITHOUT_CONTENT,
      subject: REDACTED,
      toAddress: sql`case when ${outbox.kind} in ${[...SURVEY_EMAIL_KINDS]} then '' else ${outbox.toAddress} end`,
    })
    .where(and(eq(outbox.batchId, batchId), sql`exists (select 1 from ${contacts} where ${contacts.id} = ${outbox.contactId} and ${contacts.erasedAt} is not null)`));
}

/** The provider's events about the address or the person's messages: kept as counts (type, time), nothing more. */
async function purgeEmailEvents(tx: Transaction, email: string | null, ofPerson: SQL): Promise<number> {
  const theirMessages = tx.select({ id: outbox.providerMessageId }).from(outbox).where(and(ofPerson, isNotNull(outbox.providerMessageId)));
  const purged = await tx
    .update(emailEvents)
    .set({ emailAddress: null, payload: sql`jsonb_build_object('type', ${emailEvents.type})` })
    .where(
      and(
        or(email ? sql`lower(${emailEvents.emailAddress}) = lower(${email})` : undefined, inArray(emailEvents.providerMessageId, theirMessages)),
        or(isNotNull(emailEvents.emailAddress), sql`${emailEvents.payload} <> jsonb_build_object('type', ${emailEvents.type})`),
      ),
    )
    .returning({ id: emailEvents.id });
  return purged.length;
}

/**
 * The person's answers become anonymous answers: no contact, no interaction reference; by the
 * organisation's settings also no client (and its frontline employee) and no open answers.
 * Scores, survey, campaign, channel and time stay, so every total over them stays.
 */
async function anonymiseResponses(tx: Transaction, ofPerson: SQL, settings: PrivacySettings): Promise<number> {
  const rows = await tx
    .select({
      id: responses.id,
      answers: responses.answers,
      contactId: responses.contactId,
      entityRef: responses.entityRef,
      clientId: responses.clientId,
      frontlineEmployeeId: responses.frontlineEmployeeId,
      definition: surveyVersions.definition,
    })
    .from(responses)
    .innerJoin(surveyVersions, and(eq(surveyVersions.surveyId, responses.surveyId), eq(surveyVersions.version, responses.surveyVersion)))
    .where(ofPerson);
  for (const row of rows) {
    const open = new Set(allQuestions(row.definition).filter((q) => q.type === 'open').map((q) => q.id));
    const answers = Object.fromEntries(Object.entries(row.answers as Answers).filter(([id]) => settings.erasureKeepsOpenAnswers || !open.has(id)));
    const changes =
      row.contactId !== null ||
      row.entityRef !== null ||
      (!settings.erasureKeepsClientLink && (row.clientId !== null || row.frontlineEmployeeId !== null)) ||
      Object.keys(answers).length !== Object.keys(row.answers).length;
    if (!changes) continue;
    await tx
      .update(responses)
      .set({
        contactId: null,
        entityRef: null,
        ...(settings.erasureKeepsClientLink ? {} : { clientId: null, frontlineEmployeeId: null }),
        ...(settings.erasureKeepsOpenAnswers
          ? {}
          : { answers, recordFields: projectRecordFields(row.definition, answers), comment: commentOf(row.definition, answers) }),
      })
      .where(eq(responses.id, row.id));
  }
  return rows.filter((row) => row.contactId !== null).length;
}

/** Names taken out of the person's tasks and their notes; returns the tasks still open. */
async function scrubTasks(tx: Transaction, ofPerson: SQL, identifiers: string[], settings: PrivacySettings): Promise<string[]> {
  const rows = await tx.select().from(tasks).where(ofPerson);
  for (const task of rows) {
    const set = {
      subject: redact(task.subject, identifiers),
      description: redact(task.description, identifiers),
      notes: redact(task.notes, identifiers),
      ...(settings.erasureKeepsClientLink ? {} : { clientId: null }),
    };
    const changes = set.subject !== task.subject || set.description !== task.description || set.notes !== task.notes || ('clientId' in set && task.clientId !== null);
    if (changes) await tx.update(tasks).set(set).where(eq(tasks.id, task.id));
  }
  const ids = rows.map((task) => task.id);
  if (ids.length && identifiers.length) {
    const events = await tx.select({ id: taskEvents.id, note: taskEvents.note }).from(taskEvents).where(and(inArray(taskEvents.taskId, ids), isNotNull(taskEvents.note)));
    for (const event of events) {
      const note = redact(event.note, identifiers);
      if (note !== event.note) await tx.update(taskEvents).set({ note }).where(eq(taskEvents.id, event.id));
    }
  }
  return rows.filter((task) => task.status !== 'closed').map((task) => task.id);
}

/** Every member of the person that has not finished is owed `contactErased` (one that has not started reads the erasure at its first check). */
async function endRunningMembers(tx: Transaction, contactId: string): Promise<Owed[]> {
  const running = await tx
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.contactId, contactId), inArray(members.status, [...UNFINISHED_STATUSES]), isNotNull(members.workflowStartedAt), ne(members.status, 'Erased')));
  return Promise.all(running.map(({ id }) => owe(tx, contactErasedSignal, memberWorkflowId(id))));
}

/** Closes each open task through its workflow (as no_action_needed, with a system note); returns how many closed. */
async function closeTasks(db: Database, temporal: TemporalTarget | undefined, taskIds: string[]): Promise<number> {
  if (!temporal) return 0;
  let closed = 0;
  for (const taskId of taskIds) {
    const command = { by: ERASURE_ACTOR, outcome: 'no_action_needed' as const, note: ERASURE_NOTE };
    try {
      const result = await commandTask(db, temporal, taskId, closeFollowUpUpdate, command);
      if (result.outcome === 'refused' && /created before tasks could be worked/.test(result.reason)) {
        await deliverOwed(db, temporal, [await closeOldTask(db, taskId, command.outcome, command.by, command.note)]);
      }
      if (result.outcome === 'done' || /created before tasks could be worked|closed/.test(result.reason)) closed += 1;
    } catch {
      // Temporal unreachable: the task stays open; erasing again closes it.
    }
  }
  return closed;
}
