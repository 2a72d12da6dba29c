import type { LinkState } from '../responses';

/** The HTTP status of each page a link that cannot be answered shows. */
export const HTTP_STATUS: Record<Exclude<LinkState, 'open'>, number> = {
  invalid: 404,
  expired: 410,
  closed: 410,
  answered: 409,
};
