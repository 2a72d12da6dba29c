import type { Role } from '../db/schema';

/** Who is calling: a signed-in employee (session cookie) or an API key (Bearer). */
export interface Identity {
  kind: 'session' | 'api_key';
  role: Role;
  /** The employee behind a session, or the owner of a personal key. */
  employeeId: string | null;
  apiKeyId: string | null;
  sessionId: string | null;
  /** The employee's email or the key's name, for the audit log and the UI. */
  name: string;
}
