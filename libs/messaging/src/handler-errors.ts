/** Thrown by a handler when retrying cannot help (bad payload, unknown type): dead-letter at once. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
