import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../config';
import { projectRoot } from '../../temporal/binaries';

const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

describe('README', () => {
  it('documents every configuration variable', () => {
    const undocumented = CONFIG_VARIABLES.filter((name) => !readme.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  it('opens with the two commands, the second being what .ci/run runs', () => {
    const blocks = [...readme.matchAll(/```sh\n(.+?)\n```/g)].map((m) => m[1]);
    expect(blocks.slice(0, 2)).toEqual(['npm install && npm start', 'npm ci && npm test']);
    const ci = readFileSync(path.join(projectRoot, '.ci/run'), 'utf8');
    expect(ci).toMatch(/^npm ci && npm test$/m);
  });
});
