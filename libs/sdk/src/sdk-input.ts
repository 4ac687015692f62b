import type { z } from 'zod';
import { SdkError } from './errors/sdk-error';

// Parse a body or parameter with its contract schema; every problem is named, none is a 500.
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.output<S> {
  if (what === 'body' && (input === undefined || input === null || typeof input !== 'object' || Array.isArray(input))) {
    throw new SdkError('validation_failed', 'the request body must be a JSON object', { field: 'body' });
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => {
    const field = i.path.length ? i.path.join('.') : what;
    const rule = i.code === 'unrecognized_keys' ? `unknown field(s): ${(i as { keys?: string[] }).keys?.join(', ')}` : i.message;
    return { field, rule, code: 'validation_failed' };
  });
  const first = issues[0];
  return fail(first.field, `${first.field}: ${first.rule}`, issues);
}

function fail(field: string, message: string, issues: Array<{ field: string; rule: string; code: string }>): never {
  throw new SdkError('validation_failed', message, { field, issues });
}
