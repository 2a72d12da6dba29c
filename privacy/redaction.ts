/** What free text may name an erased person by: their address, phone, reference and names. */
export function identifiersOf(contact: {
  email: string | null;
  firstName: string;
  lastName: string;
  phone: string | null;
  externalRef: string | null;
}): string[] {
  const fullName = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  // Longest first, so "Jan de Vries" goes whole before "Jan" does.
  return [contact.email, contact.phone, contact.externalRef, fullName, contact.firstName, contact.lastName]
    .map((value) => value?.trim() ?? '')
    .filter((value) => value.length >= 2)
    .sort((a, b) => b.length - a.length);
}

export const REDACTED = '[erased]';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every whole-word occurrence of the identifiers replaced (case-insensitive), for
 * texts people wrote about the person: task subjects, descriptions and notes.
 */
export function redact(text: string, identifiers: readonly string[]): string;
export function redact(text: string | null, identifiers: readonly string[]): string | null;
export function redact(text: string | null, identifiers: readonly string[]): string | null {
  if (text === null || identifiers.length === 0) return text;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${identifiers.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return text.replace(pattern, REDACTED);
}

/** A provider's message (a bounce, a refusal) without the addresses in it: it travels to a workflow's history. */
export const withoutAddresses = (text: string): string => text.replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:@]+/g, '[address]');
