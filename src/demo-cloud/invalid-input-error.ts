/**
 * What the caller gave the simulator is invalid: start options, an admin body, a query parameter. The HTTP API
 * answers 400 with the message, which names every problem found.
 */
export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
