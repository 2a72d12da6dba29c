import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('the lint rule that keeps workflow code deterministic', () => {
  it('refuses Node built-ins and I/O layers in workflows/', async () => {
    const found = await problems(
      'workflows/probe.ts',
      "import { readFileSync } from 'node:fs';\nimport { tables } from '../db';\nimport postgres from 'postgres';\nexport const x = [readFileSync, tables, postgres];\n",
    );
    expect(found).toHaveLength(3);
    expect(found.every((p) => p.startsWith('no-restricted-imports'))).toBe(true);
  });

  it('allows workflow APIs, domain modules and activity types', async () => {
    const found = await problems(
      'workflows/probe.ts',
      "import { proxyActivities } from '@temporalio/workflow';\nimport type { Activities } from '../activities';\nimport { DEFAULT_CAMPAIGN_SETTINGS } from '../domain/campaign-settings';\nexport const a = proxyActivities<Activities>({ startToCloseTimeout: '1 minute' });\nexport const s = DEFAULT_CAMPAIGN_SETTINGS;\n",
    );
    expect(found).toEqual([]);
  });

  it('applies the same rule to the pure domain/ modules', async () => {
    const found = await problems('domain/probe.ts', "import { createHash } from 'crypto';\nexport const h = createHash;\n");
    expect(found).toHaveLength(1);
  });
});
