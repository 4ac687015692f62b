import { z } from 'zod';
import { DomainError, DomainErrorCode, DomainErrorIssue } from '../errors/domain-error';

// novu's base.command idea, functional: a command object exists only once its input
// has been parsed, normalised and validated, so a rule holds whoever calls it.
// `type` names the command (like events). The brand is type-only: the only way to get a `Command<'X', ...>` is `X.create(...)`.
declare const validated: unique symbol;
export type Command<K extends string, T> = Readonly<T & { type: K }> & { readonly [validated]: true };

export interface CommandFactory<K extends string, S extends z.ZodType> {
  readonly type: K;
  create(input: unknown): Command<K, z.output<S>>;
}

// Custom issues carry the domain code to raise in `params.domainCode`.
export function domainIssue(
  ctx: { addIssue(issue: { code: 'custom'; message: string; path?: PropertyKey[]; params?: Record<string, unknown> }): void },
  code: DomainErrorCode,
  path: PropertyKey[],
  rule: string,
): void {
  ctx.addIssue({ code: 'custom', message: rule, path, params: { domainCode: code } });
}

// Zod's default texts, with a plainer word for missing fields; none of them echoes input values.
const errorMap = (issue: { code?: string; input?: unknown }): string | undefined =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;

export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { error: errorMap });
  if (result.success) return result.data;
  const issues: DomainErrorIssue[] = result.error.issues.map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
    const domainCode = (issue as { params?: { domainCode?: DomainErrorCode } }).params?.domainCode;
    if (domainCode) return { code: domainCode, field, rule: issue.message };
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : [];
    if (keys.length > 0) {
      const unknown = field ? keys.map((k) => `${field}.${k}`) : keys;
      return { code: DomainErrorCode.ValidationFailed, field: unknown[0], rule: `${unknown.join(', ')}: not a known field` };
    }
    return { code: DomainErrorCode.ValidationFailed, field, rule: field ? `${field}: ${issue.message}` : issue.message };
  });
  // A specific code (pin_too_short, invalid_address...) is more useful to a transport than the generic one.
  const primary = issues.find((i) => i.code !== DomainErrorCode.ValidationFailed) ?? issues[0];
  throw new DomainError(primary.code, primary.rule, { field: primary.field, rule: primary.rule, issues });
}

// `canonical` (optional, for commands built on the sign-in path): true only for an input the
// schema would return unchanged (exactly its keys, values already valid and normalised), which
// then skips the parse. Anything else, every invalid input included, goes through the schema, so
// results and errors are the schema's either way.
export function defineCommand<K extends string, S extends z.ZodType>(kind: K, schema: S, canonical?: (input: unknown) => boolean): CommandFactory<K, S> {
  return {
    type: kind,
    create(input: unknown) {
      if (canonical?.(input)) return Object.freeze({ ...(input as object), type: kind }) as Command<K, z.output<S>>;
      const data = parseInput(schema, input) as object;
      return Object.freeze({ ...data, type: kind }) as Command<K, z.output<S>>;
    },
  };
}
