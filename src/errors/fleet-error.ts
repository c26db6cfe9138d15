/**
 * Root of the fleet's error hierarchy. Every error carries an optional cause so the chain that led to it survives
 * logging; `name` follows the class so logs and API responses can tell the kinds apart.
 */
export class FleetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
