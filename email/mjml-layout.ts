import mjml2html from 'mjml';

/*
 * One email, described as blocks, rendered twice: to HTML through MJML (responsive tables that
 * survive Outlook and Gmail) and to plain text. Every value that reaches the MJML markup is
 * escaped here; callers pass plain text only.
 */

export interface EmailBlocks {
  /** BCP-47 language of the message (the html lang attribute). */
  language: string;
  subject: string;
  /** Inbox preview line. */
  preheader: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Text after the button (e.g. "the link is personal"). */
  afterAction?: string[];
  /** Small print: why you get this, unsubscribe. */
  footer: { text: string; link?: { label: string; url: string } }[];
  /** Accent colour of the template set (button, header bar). */
  accent: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Only http(s) and mailto links are ever put in an href. */
function safeUrl(url: string): string {
  if (!/^(https?:|mailto:)/i.test(url)) throw new Error('email links must be http(s) or mailto');
  return escape(url);
}

function toMjml(blocks: EmailBlocks): string {
  const text = (value: string, attributes = '') => `<mj-text${attributes}>${escape(value)}</mj-text>`;
  const footer = blocks.footer
    .map((line) => {
      const link = line.link ? ` <a href="${safeUrl(line.link.url)}" style="color:#1f2937">${escape(line.link.label)}</a>` : '';
      return `<mj-text font-size="12px" color="#4b5563">${escape(line.text)}${link}</mj-text>`;
    })
    .join('');
  return `<mjml lang="${escape(blocks.language)}">
  <mj-head>
    <mj-title>${escape(blocks.subject)}</mj-title>
    <mj-preview>${escape(blocks.preheader)}</mj-preview>
    <mj-attributes>
      <mj-all font-family="Arial, Helvetica, sans-serif" />
      <mj-text font-size="16px" line-height="24px" color="#111827" />
    </mj-attributes>
  </mj-head>
  <mj-body background-color="#f3f4f6" width="600px">
    <mj-section background-color="${escape(blocks.accent)}" padding="6px 0"><mj-column><mj-spacer height="2px" /></mj-column></mj-section>
    <mj-section background-color="#ffffff" padding="24px 16px">
      <mj-column>
        ${text(blocks.greeting)}
        ${blocks.paragraphs.map((p) => text(p)).join('\n        ')}
        ${
          blocks.action
            ? `<mj-button href="${safeUrl(blocks.action.url)}" background-color="${escape(blocks.accent)}" color="#ffffff" font-size="16px" font-weight="bold" inner-padding="14px 24px" align="left">${escape(blocks.action.label)}</mj-button>`
            : ''
        }
        ${(blocks.afterAction ?? []).map((p) => text(p, ' font-size="14px" color="#374151"')).join('\n        ')}
      </mj-column>
    </mj-section>
    <mj-section padding="8px 16px"><mj-column>${footer}</mj-column></mj-section>
  </mj-body>
</mjml>`;
}

function toText(blocks: EmailBlocks): string {
  const parts = [blocks.greeting, ...blocks.paragraphs];
  if (blocks.action) parts.push(`${blocks.action.label}:\n${blocks.action.url}`);
  parts.push(...(blocks.afterAction ?? []));
  const footer = blocks.footer.map((line) => (line.link ? `${line.text} ${line.link.label}: ${line.link.url}` : line.text));
  return `${parts.join('\n\n')}\n\n--\n${footer.join('\n')}\n`;
}

/** Renders the blocks through MJML directly (strict validation): the reference rendering. */
export async function renderBlocksUncached(blocks: EmailBlocks): Promise<RenderedEmail> {
  const result = await mjml2html(toMjml(blocks), { validationLevel: 'strict', keepComments: false });
  return { subject: blocks.subject, html: result.html, text: toText(blocks) };
}

/*
 * MJML compiles at tens of milliseconds per message, which made it the most expensive step of
 * inviting a member. A message's HTML depends on its shape (language, accent, how many
 * paragraphs, which links) and on its strings; so each shape is compiled once with numbered
 * placeholders for the strings, and every message of that shape fills them in, escaped exactly
 * as the MJML input would have been. A unit test holds the cached output equal to a direct MJML
 * render.
 */
const SLOT_URL = 'https://slot.npsflow.invalid/';
const SLOT = /(?:https:\/\/slot\.npsflow\.invalid\/)?NPSFSLOT(\d+)X/g;
const compiledShapes = new Map<string, Promise<string>>();

export async function renderBlocks(blocks: EmailBlocks): Promise<RenderedEmail> {
  const values: string[] = [];
  const slot = (value: string) => `NPSFSLOT${values.push(escape(value)) - 1}X`;
  const urlSlot = (url: string) => `${SLOT_URL}NPSFSLOT${values.push(safeUrl(url)) - 1}X`;
  const skeleton: EmailBlocks = {
    language: blocks.language,
    accent: blocks.accent,
    subject: slot(blocks.subject),
    preheader: slot(blocks.preheader),
    greeting: slot(blocks.greeting),
    paragraphs: blocks.paragraphs.map(slot),
    ...(blocks.action ? { action: { label: slot(blocks.action.label), url: urlSlot(blocks.action.url) } } : {}),
    ...(blocks.afterAction ? { afterAction: blocks.afterAction.map(slot) } : {}),
    footer: blocks.footer.map((line) => ({
      text: slot(line.text),
      ...(line.link ? { link: { label: slot(line.link.label), url: urlSlot(line.link.url) } } : {}),
    })),
  };
  const shape = JSON.stringify([
    blocks.language,
    blocks.accent,
    blocks.paragraphs.length,
    Boolean(blocks.action),
    blocks.afterAction?.length ?? -1,
    blocks.footer.map((line) => Boolean(line.link)),
  ]);
  let compiled = compiledShapes.get(shape);
  if (!compiled) {
    compiled = Promise.resolve(mjml2html(toMjml(skeleton), { validationLevel: 'strict', keepComments: false })).then((r) => r.html);
    compiledShapes.set(shape, compiled);
    compiled.catch(() => compiledShapes.delete(shape));
  }
  const html = (await compiled).replace(SLOT, (_match, index: string) => values[Number(index)]!);
  return { subject: blocks.subject, html, text: toText(blocks) };
}
