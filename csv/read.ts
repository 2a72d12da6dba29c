/*
 * Reading CSV as people save it: Excel in an English locale writes commas, in a Dutch (or
 * German, French…) locale semicolons. The header line decides: the separator that occurs more
 * often in it, outside quotes, wins; a tie (a one-column file) reads as comma.
 */

export type CsvSeparator = ',' | ';';

export function detectSeparator(text: string): CsvSeparator {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let index = text.charCodeAt(0) === 0xfeff ? 1 : 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === '\n' || char === '\r') break;
    else if (char === ',') commas += 1;
    else if (char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}
