import { DomainError, DomainErrorCode } from '@twofold/domain';

// Transports hand bodies over as unknown; anything but a JSON object is refused up front.
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'body', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

function integerParam(query: Record<string, unknown>, name: string, min: number, max: number): number | undefined {
  const raw = query[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, name, `${name} must be a whole number from ${min} to ${max}.`);
  }
  return n;
}

export function parsePaging(query: Record<string, unknown>): { offset?: number; limit?: number; filter?: string } {
  const filter = query.filter;
  if (filter !== undefined && (typeof filter !== 'string' || filter.length > 64)) {
    throw DomainError.rule(DomainErrorCode.ValidationFailed, 'filter', 'filter must be text of at most 64 characters.');
  }
  return { offset: integerParam(query, 'offset', 0, 1_000_000_000), limit: integerParam(query, 'limit', 1, 500), filter: filter || undefined };
}

// Commands nest an edit under `changes`; the caller sent those fields at the top level, so
// errors name them as the caller wrote them.
export function unnestErrors<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const strip = (text?: string) => (text?.startsWith(`${prefix}.`) ? text.slice(prefix.length + 1) : text);
    throw new DomainError(err.code, strip(err.message) ?? err.message, {
      field: strip(err.field),
      rule: strip(err.rule),
      issues: err.issues.map((i) => ({ ...i, field: strip(i.field), rule: strip(i.rule) ?? i.rule })),
    });
  }
}
