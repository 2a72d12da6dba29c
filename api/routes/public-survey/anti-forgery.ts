import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

const FORM_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Anti-forgery. The survey link itself is the respondent's only credential: there is no session
// cookie a forged cross-site post could ride on. The form still carries a field signed with the
// server secret over (link token, issue time), valid 24 h, and cross-site posts are refused by
// their Origin / Sec-Fetch-Site headers. No cookie is needed, so the form works with cookies
// blocked and needs no cookie banner.
// ---------------------------------------------------------------------------------------------

function sign(secret: string, token: string, issuedAt: number): string {
  return createHmac('sha256', secret).update(`${token}.${issuedAt}`).digest('base64url');
}

export function issueFormToken(secret: string, token: string, now = Date.now()): string {
  return `${now}.${sign(secret, token, now)}`;
}

export function verifyFormToken(secret: string, token: string, value: unknown, now = Date.now()): boolean {
  if (typeof value !== 'string') return false;
  const [issued, mac] = value.split('.');
  const issuedAt = Number(issued);
  if (!mac || !Number.isSafeInteger(issuedAt) || issuedAt > now + 60_000 || now - issuedAt > FORM_TOKEN_TTL_MS) return false;
  const expected = Buffer.from(sign(secret, token, issuedAt));
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function crossSite(request: FastifyRequest, publicBaseUrl: string): boolean {
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (!origin || origin === 'null') return false;
  try {
    const host = new URL(origin).host;
    return host !== request.host && host !== new URL(publicBaseUrl).host;
  } catch {
    return true;
  }
}
