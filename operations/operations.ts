import { and, asc, count, eq, gt, type SQL } from 'drizzle-orm';
import { tables, type Database, type Transaction } from '../db';
import { oweWithStart, type Owed } from '../signals/owed-signals';
import { operationRequestedSignal, operationWorkflowId, type MemberOperationInput } from '../workflows/definitions';

/*
 * Work on many members of a campaign (pause, resume, close, a settings change, bulk reject or
 * re-include) is an operation: a row written in the same transaction as the command, and a
 * memberOperation workflow, started through the owed-signal channel, that applies it member by
 * member and records each result. The API answers 202 with the operation's id at once.
 */

export type OperationKind = (typeof tables.operationKind.enumValues)[number];
export type OperationItemResult = (typeof tables.operationItemResult.enumValues)[number];

export interface OperationRequest {
  kind: OperationKind;
  campaignId: string;
  params?: Record<string, unknown>;
  /** Only these members; every member of the campaign when absent. */
  memberIds?: string[];
}

/** Records an operation and owes the signal that starts its workflow, inside the caller's transaction. */
export async function requestOperation(tx: Transaction, request: OperationRequest): Promise<{ operationId: string; owed: Owed }> {
  const [row] = await tx
    .insert(tables.operations)
    .values({ kind: request.kind, campaignId: request.campaignId, params: request.params ?? {}, memberIds: request.memberIds ?? null })
    .returning({ id: tables.operations.id });
  const operationId = row!.id;
  const input: MemberOperationInput = { operationId };
  const owed = await oweWithStart(tx, operationRequestedSignal, {
    workflowId: operationWorkflowId(operationId),
    workflowType: 'memberOperation',
    args: [input],
  });
  return { operationId, owed };
}

export interface OperationReport {
  id: string;
  kind: OperationKind;
  campaignId: string;
  params: unknown;
  status: 'running' | 'done';
  /** Members the operation applies to (null until its workflow has counted them). */
  total: number | null;
  done: number;
  skipped: number;
  failed: number;
  createdAt: string;
  finishedAt: string | null;
  /** Each member's result, in member order, a page at a time. */
  items: { memberId: string; result: OperationItemResult; detail: string | null; at: string }[];
  nextCursor: string | null;
}

/** An operation's progress and a page of its members' results; null when there is none. */
export async function readOperation(
  db: Database,
  id: string,
  page: { limit?: number; after?: string; result?: OperationItemResult } = {},
): Promise<OperationReport | null> {
  const [operation] = await db.select().from(tables.operations).where(eq(tables.operations.id, id));
  if (!operation) return null;
  const items = tables.operationItems;
  const counts = await db.select({ result: items.result, n: count() }).from(items).where(eq(items.operationId, id)).groupBy(items.result);
  const countOf = (result: OperationItemResult) => counts.find((c) => c.result === result)?.n ?? 0;
  const limit = page.limit ?? 100;
  const filters: (SQL | undefined)[] = [
    eq(items.operationId, id),
    page.after ? gt(items.memberId, page.after) : undefined,
    page.result ? eq(items.result, page.result) : undefined,
  ];
  const rows = await db
    .select()
    .from(items)
    .where(and(...filters))
    .orderBy(asc(items.memberId))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  return {
    id: operation.id,
    kind: operation.kind,
    campaignId: operation.campaignId,
    params: operation.params,
    status: operation.status,
    total: operation.total,
    done: countOf('done'),
    skipped: countOf('skipped'),
    failed: countOf('failed'),
    createdAt: operation.createdAt.toISOString(),
    finishedAt: operation.finishedAt?.toISOString() ?? null,
    items: shown.map((item) => ({ memberId: item.memberId, result: item.result, detail: item.detail, at: item.at.toISOString() })),
    nextCursor: rows.length > limit ? shown.at(-1)!.memberId : null,
  };
}
