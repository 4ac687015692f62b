import pino, { Logger } from 'pino';

// Any field with one of these names is replaced, wherever it sits in a log object.
const SECRET_FIELDS = [
  'password', 'pin', 'otp', 'code', 'secret', 'sharedSecret', 'seed', 'token', 'authorization',
  'passwordHash', 'pinHash', 'secretHash', 'masterKey', 'key', 'keyPem', 'bindPassword', 'cookie',
];

const redactPaths = SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `req.headers.${f}`]);

export function createLogger(opts: { level?: string; nodeName?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { node: opts.nodeName },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination,
  );
}

export type { Logger };
