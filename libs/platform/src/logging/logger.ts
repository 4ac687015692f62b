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

// Resolves once every line logged so far is written (or after timeoutMs), for a process about to
// exit. The default destination writes stdout asynchronously through libuv's thread pool: with the
// pool busy (a WAL sync, password checks), a write still queued at process.exit would land after
// the lines pino writes synchronously at exit ("stopped" no longer last) or be lost. Nothing may be
// logged after it.
export function endLogger(logger: Logger, timeoutMs = 2000): Promise<void> {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { end?: () => void; once?: (event: string, listener: () => void) => void }
    | undefined;
  if (typeof stream?.end !== 'function' || typeof stream.once !== 'function') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    stream.once!('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.end!();
  });
}
