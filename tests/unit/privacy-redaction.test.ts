import { describe, expect, it } from 'vitest';
import { identifiersOf, redact, REDACTED, withoutAddresses } from '../../privacy/redaction';

const person = { email: 'jan.de.vries@klant.example', firstName: 'Jan', lastName: 'de Vries', phone: '+31 6 1234 5678', externalRef: 'CRM-42' };

describe('redaction of an erased person from free text', () => {
  it('takes out the full name before its parts, the address, phone and reference, whole words only', () => {
    const ids = identifiersOf(person);
    expect(ids[0]).toBe(person.email);
    expect(redact('Gebeld met Jan de Vries (+31 6 1234 5678), mail jan.de.vries@klant.example, ref CRM-42', ids)).toBe(
      `Gebeld met ${REDACTED} (${REDACTED}), mail ${REDACTED}, ref ${REDACTED}`,
    );
    // "Jan" inside another word stays; case does not matter.
    expect(redact('Januari: JAN belde terug', ids)).toBe(`Januari: ${REDACTED} belde terug`);
  });

  it('leaves text alone when there is nothing to look for (an erased contact has no identifiers left)', () => {
    const ids = identifiersOf({ email: null, firstName: '', lastName: '', phone: null, externalRef: null });
    expect(ids).toEqual([]);
    expect(redact('Feedback call (NPS 3)', ids)).toBe('Feedback call (NPS 3)');
    expect(redact(null, ids)).toBeNull();
  });

  it('strips addresses from a provider message before it reaches a workflow', () => {
    expect(withoutAddresses("550 5.1.1 <jan.de.vries@klant.example>: Recipient address rejected")).toBe('550 5.1.1 <[address]>: Recipient address rejected');
    expect(withoutAddresses('no such user')).toBe('no such user');
  });
});
