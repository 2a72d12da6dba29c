import type { LocalizedText } from './schema';

/** Picks the text for a language, falling back to the given languages in order. */
export function localize(text: LocalizedText | undefined, language: string, fallbacks: readonly string[] = []): string {
  if (!text) return '';
  for (const candidate of [language, ...fallbacks]) {
    const value = text[candidate];
    if (value !== undefined) return value;
  }
  return Object.values(text)[0] ?? '';
}
