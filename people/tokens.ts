import { createHash, randomBytes } from 'node:crypto';

/** A fresh secret for a cookie or a link: 32 random bytes, URL-safe. */
export const newToken = () => randomBytes(32).toString('base64url');

/** What is stored of a secret: its SHA-256, hex. The secret itself never is. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
