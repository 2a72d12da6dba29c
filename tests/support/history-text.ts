/** Every string in a fetched workflow history, its payloads decoded (they are JSON bytes): what a scan for people's words reads. */
export function historyText(value: unknown): string {
  return stringsOf(value, []).join('\n');
}

function stringsOf(value: unknown, out: string[]): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsOf(item, out);
  else if (value && typeof value === 'object') for (const inner of Object.values(value)) stringsOf(inner, out);
  return out;
}
