// Errors of the write side that are not domain rules (the log refusing, the read model lagging).
export class CommandError extends Error {
  constructor(readonly code: 'version_conflict' | 'read_model_timeout' | 'master_unavailable', message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}
