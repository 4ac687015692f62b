import { readFileSync } from 'node:fs';
import { CreateUser, CsvError, DomainError, parseCsv } from '@twofold/domain';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { CliContext } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { Progress } from '../core/progress';
import { readStdinText } from '../core/secret-input';
import { IMPORT_COLUMNS, ImportColumn } from './user-import.columns';
import type { UserView } from './views';

type Field = Exclude<ImportColumn, 'username'>;

export type LineAction = 'create' | 'update' | 'unchanged' | 'invalid';
export interface LineResult { line: number; username?: string; action: LineAction; changes?: string[]; code?: string; reason?: string }

interface Planned { result: LineResult; body?: Record<string, unknown>; version?: number }

// Reads the header row: every column known, none twice, username present. Names match case-insensitively.
export function readHeader(fields: string[]): ImportColumn[] {
  const columns = fields.map((raw) => {
    const name = IMPORT_COLUMNS.find((c) => c.toLowerCase() === raw.trim().toLowerCase());
    if (!name) throw CliError.validation(`line 1: unknown column "${raw.trim().slice(0, 64)}" (columns: ${IMPORT_COLUMNS.join(', ')})`, 'header');
    return name;
  });
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) throw CliError.validation(`line 1: column "${twice}" appears twice`, 'header');
  if (!columns.includes('username')) throw CliError.validation('line 1: the header row must name a "username" column', 'header');
  return columns;
}

function ruleText(err: DomainError): string {
  return err.field && !err.message.startsWith(`${err.field}:`) ? `${err.field}: ${err.message}` : err.message;
}

// Validates one row with the same rules the server applies, and decides what it would change.
// Empty cells mean "leave as is" (or the default, for a new user).
export function planLine(line: number, columns: ImportColumn[], fields: string[], existing: UserView | null | undefined, seen: Map<string, number>): Planned {
  if (fields.length !== columns.length) {
    return { result: { line, action: 'invalid', code: 'validation_failed', reason: `has ${fields.length} fields, the header has ${columns.length}` } };
  }
  const cells = new Map(columns.map((c, i) => [c, fields[i].trim()] as const));
  const given = (IMPORT_COLUMNS.filter((c) => c !== 'username' && cells.get(c)) as Field[]);
  const input: Record<string, unknown> = { username: cells.get('username') ?? '' };
  for (const c of given) input[c === 'phone' ? 'phones' : c] = c === 'phone' ? [{ number: cells.get(c) }] : cells.get(c);
  let command: CreateUser;
  try {
    command = CreateUser.create(input);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { result: { line, username: cells.get('username') || undefined, action: 'invalid', code: err.code, reason: ruleText(err) } };
  }
  const username = command.username;
  const earlier = seen.get(username);
  if (earlier !== undefined) return { result: { line, username, action: 'invalid', code: 'duplicate_username', reason: `username also on line ${earlier}` } };
  seen.set(username, line);
  const wanted: Record<Field, unknown> = {
    displayName: command.displayName, email: command.email, phone: command.phones[0]?.number,
    preferredMethod: command.preferredMethod, language: command.language,
  };
  if (!existing) {
    const body: Record<string, unknown> = { username };
    for (const c of given) body[c === 'phone' ? 'phones' : c] = c === 'phone' ? command.phones : wanted[c];
    return { result: { line, username, action: 'create' }, body };
  }
  const current: Record<Field, unknown> = {
    displayName: existing.displayName, email: existing.email, phone: existing.phones[0]?.number,
    preferredMethod: existing.preferredMethod, language: existing.language,
  };
  const changed = given.filter((c) => wanted[c] !== current[c]);
  if (changed.length === 0) return { result: { line, username, action: 'unchanged' } };
  const body: Record<string, unknown> = {};
  for (const c of changed) {
    if (c === 'phone') {
      // The column is the first (primary) phone; other numbers the user has are kept.
      body.phones = [{ label: existing.phones[0]?.label ?? 'mobile', number: wanted.phone }, ...existing.phones.slice(1)];
    } else body[c] = wanted[c];
  }
  return { result: { line, username, action: 'update', changes: changed }, body, version: existing.version };
}

async function lookup(ctx: CliContext, username: string): Promise<UserView | null> {
  try {
    return await ctx.api.get<UserView>(`/admin/v1/users/${seg(username)}`);
  } catch (err) {
    if (err instanceof CliError && err.exitCode === ExitCode.NotFound) return null;
    throw err;
  }
}

// Errors about one line (validation, conflicts) mark that line; anything else stops the import.
function lineError(err: unknown): err is CliError {
  return err instanceof CliError && [ExitCode.Validation, ExitCode.NotFound, ExitCode.Conflict].includes(err.exitCode);
}

function describe(r: LineResult): string {
  const what = r.action === 'update' ? `${r.username} (${r.changes?.join(', ')})` : r.action === 'invalid' ? `${r.username ? `${r.username}: ` : ''}${r.reason}` : r.username ?? '';
  return `line ${String(r.line).padEnd(5)} ${r.action.padEnd(9)} ${what}`;
}

export interface ImportOptions { dryRun?: boolean; stopOnError?: boolean }

export async function importUsers(ctx: CliContext, file: string, o: ImportOptions): Promise<void> {
  let text: string;
  try {
    text = file === '-' ? await readStdinText() : readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('file_unreadable', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, ExitCode.Usage, 'file');
  }
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvError) throw new CliError('invalid_csv', err.message, ExitCode.Validation);
    throw err;
  }
  if (records.length === 0) throw new CliError('invalid_csv', 'the file is empty: it needs a header row', ExitCode.Validation);
  let columns: ImportColumn[];
  try {
    columns = readHeader(records[0].fields);
  } catch (err) {
    throw new CliError('invalid_csv', (err as Error).message, ExitCode.Validation);
  }
  const rows = records.slice(1);
  const progress = new Progress(o.dryRun ? 'checking' : 'importing', rows.length);
  const results: LineResult[] = [];
  const seen = new Map<string, number>();
  let stoppedAt: number | undefined;
  for (const row of rows) {
    const first = planLine(row.line, columns, row.fields, null, new Map(seen));
    let planned = first;
    if (first.result.action !== 'invalid') planned = planLine(row.line, columns, row.fields, await lookup(ctx, first.result.username!), seen);
    if (!o.dryRun && (planned.result.action === 'create' || planned.result.action === 'update')) {
      try {
        if (planned.result.action === 'create') await ctx.api.send('POST', '/admin/v1/users', planned.body);
        else await ctx.api.send('PATCH', `/admin/v1/users/${seg(planned.result.username!)}`, planned.body, { 'if-match': `"${planned.version}"` });
      } catch (err) {
        if (!lineError(err)) throw err;
        planned = { result: { line: row.line, username: planned.result.username, action: 'invalid', code: err.code, reason: err.message } };
      }
    }
    results.push(planned.result);
    if (!ctx.out.json) ctx.out.line(describe(planned.result));
    progress.tick();
    if (planned.result.action === 'invalid' && o.stopOnError) {
      stoppedAt = row.line;
      break;
    }
  }
  progress.finish();
  const count = (a: LineAction) => results.filter((r) => r.action === a).length;
  const summary = { create: count('create'), update: count('update'), unchanged: count('unchanged'), invalid: count('invalid'), notProcessed: rows.length - results.length };
  if (ctx.out.json) ctx.out.data({ dryRun: Boolean(o.dryRun), lines: results, summary, ...(stoppedAt ? { stoppedAtLine: stoppedAt } : {}) });
  else {
    const parts = o.dryRun
      ? [`${summary.create} to create`, `${summary.update} to update`, `${summary.unchanged} unchanged`, `${summary.invalid} invalid`]
      : [`${summary.create} created`, `${summary.update} updated`, `${summary.unchanged} unchanged`, `${summary.invalid} invalid`];
    if (stoppedAt) parts.push(`stopped at line ${stoppedAt}, ${summary.notProcessed} line(s) not processed`);
    ctx.out.line(`${o.dryRun ? 'dry run: ' : ''}${parts.join(', ')}${o.dryRun ? ' (nothing written)' : ''}`);
  }
  if (summary.invalid > 0) {
    throw new CliError('import_incomplete', `${summary.invalid} invalid line(s) ${o.dryRun ? 'would be' : 'were'} skipped`, ExitCode.Validation);
  }
}
