import { describe, expect, it } from 'vitest';
import { renderBlocks, renderBlocksUncached, type EmailBlocks } from '../../email/mjml-layout';

/** The compiled-shape cache must give exactly what MJML gives for the same message. */
const base: EmailBlocks = {
  language: 'nl',
  subject: 'Uw mening over "Service & support"',
  preheader: 'Twee minuten <b>',
  greeting: 'Beste Ann <script>',
  paragraphs: ['Eerste alinea met € en ü.', "Tweede 'alinea' NPSFSLOT0X"],
  action: { label: 'Start de enquête', url: 'https://nps.example/s/abc?x=1&y=2' },
  afterAction: ['De link is persoonlijk.'],
  footer: [{ text: 'Waarom u dit krijgt.' }, { text: 'Geen e-mail meer?', link: { label: 'Afmelden', url: 'https://nps.example/s/abc/unsubscribe' } }],
  accent: '#0b4f9c',
};

describe('cached email rendering', () => {
  it.each([
    ['a full survey email', base],
    ['another message of the same shape', { ...base, greeting: 'Dear Bob & co', paragraphs: ['x', 'y'], subject: 'Other' }],
    ['no action, no after-text, one footer line', { ...base, action: undefined, afterAction: undefined, footer: [{ text: 'Automatisch bericht' }], accent: '#9f1239' }],
    ['three paragraphs in English', { ...base, language: 'en', paragraphs: ['one', 'two', 'three'] }],
  ])('%s renders byte for byte as MJML does', async (_name, blocks) => {
    const cached = await renderBlocks(blocks as EmailBlocks);
    const direct = await renderBlocksUncached(blocks as EmailBlocks);
    expect(cached).toEqual(direct);
  });

  it('never lets a value that looks like a placeholder pull in another value', async () => {
    const rendered = await renderBlocks({ ...base, greeting: 'NPSFSLOT4X' });
    expect(rendered.html).toContain('NPSFSLOT4X');
  });
});
