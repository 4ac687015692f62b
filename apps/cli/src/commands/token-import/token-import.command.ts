import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { seg } from '../../core/admin-client';
import { CliError } from '../../core/cli-error';
import { CliContext, run } from '../../core/context';
import { ExitCode } from '../../core/exit-codes';
import { columns } from '../../core/output';
import { FileRead, FileRefusal, PskcError, readPskc, readTokenCsv, TOKEN_CSV_COLUMNS, TokenCsvError } from '@twofold/domain';

interface ServerReport {
  dryRun: boolean; pooled: number; assigned: number;
  accepted: Array<{ index: number; serial: string; username: string | null }>;
  refused: Array<{ index: number; serial: string | null; reason: string; detail: string }>;
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw CliError.usage(`cannot read the ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

// The pre-shared key: hex text (32 or 64 hex digits) or the raw 16/32 bytes.
export function readKeyFile(path: string): Buffer {
  const raw = readFile(path, 'key file');
  const text = raw.toString('latin1').trim();
  if (/^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/.test(text)) return Buffer.from(text, 'hex');
  if (raw.length === 16 || raw.length === 32) return raw;
  throw CliError.usage('--key-file must hold the pre-shared key as 32 or 64 hex digits (AES-128 or AES-256), or its 16 or 32 raw bytes', 'key-file');
}

function formatOf(file: string, text: string, given?: string): 'pskc' | 'csv' {
  if (given !== undefined) {
    if (given !== 'pskc' && given !== 'csv') throw CliError.usage('--format must be pskc or csv', 'format');
    return given;
  }
  const ext = extname(file).toLowerCase();
  if (['.xml', '.pskc', '.pskcxml'].includes(ext)) return 'pskc';
  if (ext === '.csv') return 'csv';
  return text.trimStart().startsWith('<') ? 'pskc' : 'csv';
}

function parse(format: 'pskc' | 'csv', text: string, keyFile?: string): FileRead {
  try {
    return format === 'pskc' ? readPskc(text, keyFile ? readKeyFile(keyFile) : undefined) : readTokenCsv(text);
  } catch (err) {
    if (err instanceof PskcError) throw err.needsKey ? CliError.usage(err.message, 'key-file') : new CliError('invalid_pskc', err.message, ExitCode.Validation);
    if (err instanceof TokenCsvError) throw new CliError('invalid_csv', err.message, ExitCode.Validation);
    throw err;
  }
}

async function importTokens(ctx: CliContext, file: string, o: { keyFile?: string; dryRun?: boolean; format?: string }): Promise<void> {
  const text = readFile(file, 'file').toString('utf8');
  const format = formatOf(file, text, o.format);
  const read = parse(format, text, o.keyFile);
  if (read.tokens.length > 5000) throw new CliError('too_many_tokens', `the file holds ${read.tokens.length} tokens; import at most 5000 at a time (split the file)`, ExitCode.Validation);
  const refused: FileRefusal[] = [...read.refused];
  let report: ServerReport | null = null;
  if (read.tokens.length > 0) {
    report = await ctx.api.send<ServerReport>('POST', `/admin/v1/tokens/import${o.dryRun ? '?dryRun=true' : ''}`, { format, tokens: read.tokens.map((t) => t.token) });
    for (const r of report.refused) refused.push({ entry: read.tokens[r.index]?.entry ?? r.index, serial: r.serial, reason: r.reason as FileRefusal['reason'], detail: r.detail });
  }
  refused.sort((a, b) => a.entry - b.entry);
  const accepted = report?.accepted.map((a) => ({ entry: read.tokens[a.index]?.entry ?? a.index, serial: a.serial, username: a.username })) ?? [];
  const summary = { dryRun: Boolean(o.dryRun), format, imported: accepted.length, toUsers: report?.assigned ?? 0, toPool: report?.pooled ?? 0, accepted, refused };
  const entryWord = format === 'csv' ? 'line' : 'entry';
  ctx.out.result(summary, () => [
    ...refused.map((r) => `refused ${entryWord} ${r.entry}${r.serial ? ` (serial ${r.serial})` : ''}: ${r.reason}: ${r.detail}`),
    `${o.dryRun ? 'would import' : 'imported'} ${accepted.length} token(s): ${summary.toUsers} to users, ${summary.toPool} to the unassigned pool; ${refused.length} refused${o.dryRun ? ' (dry run: nothing written)' : ''}`,
  ].join('\n') + '\n');
  if (refused.length > 0) throw new CliError('import_incomplete', `${refused.length} token(s) ${o.dryRun ? 'would be' : 'were'} refused`, ExitCode.Validation);
}

export function registerTokenImport(token: Command): void {
  token.command('import <file>')
    .summary('import hardware tokens from a PSKC (RFC 6030) or CSV file')
    .description(`import hardware OATH tokens from a PSKC file (RFC 6030; plain, or encrypted with a pre-shared key: AES-CBC with an HMAC MAC) or a CSV file (header row; columns ${TOKEN_CSV_COLUMNS.join(', ')}; serial, seed and type required; the seed in hex, or base32 (write "base32:" before a base32 seed made only of 2-7 and A-F); type totp or hotp). A token with a username goes to that user, one without to the unassigned pool (\`token assign <user> --serial <serial>\`). Seeds are sealed at once and never printed. Refused entries (bad MAC, unknown algorithm, duplicate serial, unknown user, invalid) are listed and the rest imported, all in one write; the exit code is ${ExitCode.Validation} when any entry was refused, ${ExitCode.Usage} when an encrypted file comes without --key-file.`)
    .option('--key-file <file>', 'the PSKC pre-shared key: 32 (or 64) hex digits, or the raw bytes')
    .option('--format <format>', 'pskc or csv (default: from the file name, else the content)')
    .option('--dry-run', 'show what would be imported and refused, and write nothing')
    .action(run(importTokens));

  token.command('pool').description('list imported tokens and whom they are assigned to (never their seeds)')
    .action(run(async (ctx) => {
      const pool = await ctx.api.get<Array<{ serial: string; kind: string; algorithm: string; digits: number; assignedTo: string | null }>>('/admin/v1/tokens/pool');
      ctx.out.table(pool, columns<(typeof pool)[number]>({
        serial: 'serial', kind: 'kind', algorithm: 'algorithm', digits: 'digits', 'assigned to': (t) => t.assignedTo ?? '(unassigned)',
      }), '(no imported tokens)');
    }));
}

export async function assignFromPool(ctx: CliContext, ref: string, serial: string): Promise<void> {
  const done = await ctx.api.send<{ serial: string; tokenId: string; user: { username: string } }>('POST', `/admin/v1/users/${seg(ref)}/tokens/from-pool`, { serial });
  ctx.out.result(done, () => `assigned token ${done.serial} (token id ${done.tokenId}) from the pool to ${done.user.username}\n`);
}
