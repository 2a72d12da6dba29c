/** A request the reports cannot answer as asked (the API turns it into a 400, 404 or 409). */
export class AnalyticsInputError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid' | 'not_found' | 'conflict' | 'anonymous' = 'invalid',
  ) {
    super(message);
    this.name = 'AnalyticsInputError';
  }
}
