/** The respondent's language: an explicit choice, the link's, the contact's, the browser's, the survey's. */
export function chooseLanguage(
  available: readonly string[],
  preferences: (string | null | undefined)[],
  acceptLanguage: string | undefined,
  fallback: string,
): string {
  const fromHeader = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { language: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.language && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((entry) => entry.language);
  for (const candidate of [...preferences, ...fromHeader]) {
    const language = candidate?.toLowerCase().split('-')[0];
    if (language && available.includes(language)) return language;
  }
  return available.includes(fallback) ? fallback : available[0] ?? fallback;
}
