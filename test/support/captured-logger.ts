import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger';

/** A real pino logger (with the fleet's redaction) whose lines are kept in memory, to assert on what gets logged. */
export interface CapturedLogger {
  logger: Logger;
  /** Every line written so far, as raw text. */
  text(): string;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
}

export function capturedLogger(level = 'trace'): CapturedLogger {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () => text().split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
