import pino, { type Logger, type LoggerOptions } from 'pino';
import pinoPretty from 'pino-pretty';

export type { Logger };

/**
 * Paths whose values never reach a log line. Credentials travel under these names everywhere in the fleet, so a
 * mistake elsewhere (logging a whole options object) still prints "[Redacted]".
 */
export const REDACTED_PATHS = [
  'password', '*.password', '*.*.password',
  'secret', '*.secret', '*.*.secret',
  'secretKey', '*.secretKey', '*.*.secretKey',
  'secret_key', '*.secret_key', '*.*.secret_key',
  'accessKey', '*.accessKey', '*.*.accessKey',
  'token', '*.token', '*.*.token',
  'credentials', '*.credentials',
  'encryptionKey', '*.encryptionKey',
  'authorization', '*.authorization', '*.headers.authorization', '*.headers["x-secret-key"]',
];

/**
 * A child logger with the fields the logger is not bound to already: a process serving one provider is bound to it
 * for good, and a key twice in one line shows readers that keep the last value (most log stores) the wrong one.
 */
export function childLogger(logger: Logger, fields: Record<string, unknown>): Logger {
  const bound = logger.bindings();
  return logger.child(Object.fromEntries(Object.entries(fields).filter(([key]) => !Object.hasOwn(bound, key))));
}

/**
 * The fleet's logger: JSON lines, or with `pretty` one short human line each (time, level, message and the fields
 * that tell the event apart), for a terminal.
 */
export function createLogger(
  options: { level?: string; name?: string; destination?: pino.DestinationStream & { fd?: number }; pretty?: boolean } = {},
): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    name: options.name ?? 'fleet',
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: { err: pino.stdSerializers.errWithCause },
  };
  if (options.pretty === true) {
    return pino(config, pinoPretty({
      destination: options.destination?.fd ?? 1, sync: true, singleLine: true,
      translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name,workerId,event',
    }));
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}
