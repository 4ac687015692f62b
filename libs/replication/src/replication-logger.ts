// pino-compatible (object first, then message); the server passes its logger.
export interface ReplicationLogger {
  debug?(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: ReplicationLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
