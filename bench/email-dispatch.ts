import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { tables, type Database } from '../db';
import { resolveCampaignSettings } from '../domain/campaign-settings';
import { ResendTransport, startEmailDispatcher } from '../email';
import { rowsOf } from '../db/rows';
import { createTestDatabase } from '../tests/support/database';
import { startFakeResend, type FakeResend } from '../tests/support/fake-resend';

/**
 * Email dispatch: N queued invitations (real members, invitations and rendered-size bodies in
 * PostgreSQL) through the dispatcher to the local Resend-compatible server, which enforces
 * 2 requests a second and 100 emails a batch. Run 1: one dispatcher in this process, sustained
 * emails/s. Run 2: the dispatcher as its own process, SIGKILLed mid-way and started again.
 * Both count duplicates (an address the server sent to twice) and losses (a row never sent).
 *
 *   npx tsx bench/email-dispatch.ts 10000
 */
const size = Number(process.argv[2] ?? 10_000);
const RATE = 2;
console.log(`machine: ${os.cpus()[0]?.model}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

/** Members with invitations and their queued invitation emails, set-based. */
async function queueInvitations(db: Database, tag: string): Promise<void> {
  const [survey] = await db.insert(tables.surveys).values({ title: `Dispatch ${tag}`, status: 'active' }).returning();
  const [campaign] = await db.insert(tables.campaigns).values({ name: tag, surveyId: survey!.id, status: 'active', settings: resolveCampaignSettings({}) }).returning();
  const body = 'x'.repeat(9_000); // about the size of a rendered invitation's HTML
  await db.execute(sql`
    with c as (
      insert into contacts (external_ref, email, first_name, last_name, language)
      select ${tag} || '-' || g, ${tag} || '-' || g || '@dispatch.bench', 'C' || g, 'Bench', 'nl' from generate_series(1, ${size}) g
      returning id, email
    ), m as (
      insert into campaign_members (campaign_id, contact_id) select ${campaign!.id}::uuid, id from c returning id, contact_id
    ), i as (
      insert into invitations (token, survey_id, member_id, campaign_id, contact_id, status, expires_at)
      select replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), ${survey!.id}::uuid, m.id, ${campaign!.id}::uuid, m.contact_id, 'not_started', now() + interval '30 days' from m
      returning id, member_id, contact_id
    )
    insert into email_outbox (idempotency_key, kind, to_address, from_address, subject, html, text, status, contact_id, member_id, invitation_id, requested_at)
    select 'member-' || i.member_id || ':invitation:0', 'invitation', c.email, 'bench <bench@dispatch.bench>', 'Uw mening', ${body}, ${body}, 'queued', i.contact_id, i.member_id, i.id, now()
    from i join c on c.id = i.contact_id`);
}

async function counts(db: Database, tag: string) {
  const [row] = rowsOf<{ sent: number; queued: number }>(
    await db.execute(sql`select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'queued')::int as queued
      from email_outbox where to_address like ${`${tag}-%`}`),
  );
  return row!;
}

function duplicates(resend: FakeResend, tag: string): { delivered: number; duplicates: number } {
  const addresses = resend.sent.map((s) => (s.body.to as string[])[0]!).filter((a) => a.startsWith(`${tag}-`));
  return { delivered: new Set(addresses).size, duplicates: addresses.length - new Set(addresses).size };
}

const database = await createTestDatabase();
const resend = await startFakeResend({ requestsPerSecond: RATE });
try {
  // Run 1: sustained rate, one dispatcher in this process.
  await queueInvitations(database.db, 'run1');
  const started = performance.now();
  let firstSentAt = 0;
  const dispatcher = startEmailDispatcher(database.db, { transport: new ResendTransport({ apiKey: 're_bench', baseUrl: resend.url }), requestsPerSecond: RATE, idleMs: 50 });
  for (;;) {
    const { sent } = await counts(database.db, 'run1');
    if (sent > 0 && firstSentAt === 0) firstSentAt = performance.now();
    if (sent >= size) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const seconds = (performance.now() - started) / 1000;
  await dispatcher.stop();
  const run1 = duplicates(resend, 'run1');
  const lost1 = size - (await counts(database.db, 'run1')).sent;
  console.log(
    `run 1: ${size} invitations in ${seconds.toFixed(1)} s = ${(size / seconds).toFixed(0)} emails/s ` +
      `(first batch after ${((firstSentAt - started) / 1000).toFixed(2)} s; limit ${RATE} requests/s × 100 = ${RATE * 100}/s), ` +
      `${resend.requests.length} requests, ${resend.rateLimited} answered 429, ${run1.duplicates} duplicates, ${lost1} lost`,
  );

  // Run 2: the dispatcher as a process, killed mid-way, started again.
  await queueInvitations(database.db, 'run2');
  const child = fileURLToPath(new URL('./email-dispatch-process.ts', import.meta.url));
  const startChild = (): ChildProcess =>
    spawn(process.execPath, ['--import', 'tsx', child, String(RATE)], {
      env: { ...process.env, DATABASE_URL: database.url, RESEND_BASE_URL: resend.url },
      stdio: 'inherit',
    });
  let dispatcherProcess = startChild();
  for (;;) {
    const { sent } = await counts(database.db, 'run2');
    if (sent >= size / 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  dispatcherProcess.kill('SIGKILL');
  await new Promise((r) => dispatcherProcess.once('exit', r));
  const atKill = await counts(database.db, 'run2');
  const [pending] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from email_batches where status = 'sending'`));
  dispatcherProcess = startChild();
  for (;;) {
    if ((await counts(database.db, 'run2')).sent >= size) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  dispatcherProcess.kill('SIGTERM');
  await new Promise((r) => dispatcherProcess.once('exit', r));
  const run2 = duplicates(resend, 'run2');
  const lost2 = size - (await counts(database.db, 'run2')).sent;
  console.log(
    `run 2 (dispatcher SIGKILLed at ${atKill.sent} sent, ${pending!.n} batch(es) in flight, then restarted): ` +
      `${run2.delivered} delivered, ${run2.duplicates} duplicates, ${lost2} lost`,
  );
} finally {
  await resend.close();
  await database.destroy();
}
