import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { describe, expect, it } from 'vitest';
import { expectEveryHistoryReplays } from './helpers';

/*
 * Members of the anonymous-completion code (an anonymous survey's answer completes the member
 * without a response id or score), recorded by tests/api/anonymous-survey.test.ts with
 * RECORD_HISTORIES, replay on the current workflow code.
 */
describe('anonymous-completion fixtures', () => {
  it('replay on the current workflow code', async () => {
    const folder = fileURLToPath(new URL('../fixtures/histories/anonymous-completion/', import.meta.url));
    const histories = readdirSync(folder).map((file) => {
      const { workflowId, history } = JSON.parse(readFileSync(path.join(folder, file), 'utf8')) as { workflowId: string; history: object };
      return { workflowId, history: temporal.api.history.v1.History.fromObject(history) };
    });
    expect(histories.length).toBeGreaterThanOrEqual(1);
    await expectEveryHistoryReplays(histories);
  }, 120_000);
});
