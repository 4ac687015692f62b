import { writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { givenOptions, intOption, run } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { readSecret } from '../core/secret-input';
import { TOKEN_COLUMNS, TokenView } from './views';
import { assignFromPool, registerTokenImport } from './token-import/token-import.command';
import { registerUserItemCommands } from './user-items';

interface Assigned { token: TokenView; otpauthUri: string; qrSvg?: string; qrPngBase64?: string }

interface AssignOptions {
  kind?: string; algorithm?: string; digits?: number; period?: number; label?: string; seedStdin?: boolean; qrFile?: string; serial?: string;
}

function qrFormat(path: string): 'png' | 'svg' {
  const ext = extname(path).toLowerCase();
  if (ext === '.png' || ext === '.svg') return ext.slice(1) as 'png' | 'svg';
  throw CliError.usage('--qr-file must end in .png or .svg', 'qr-file');
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('manage users\' OATH (TOTP/HOTP) tokens');

  token.command('assign <user>')
    .description('assign a new OATH token; prints the otpauth:// URI once (it holds the seed: hand it to the user, do not keep it)')
    .option('--kind <kind>', 'totp or hotp (default totp)')
    .option('--algorithm <name>', 'SHA1, SHA256 or SHA512 (default SHA1)')
    .option('--digits <n>', '6 or 8 (default 6)', intOption('--digits', 1, 10))
    .option('--period <seconds>', 'TOTP step: 30 or 60 (default 30)', intOption('--period', 1, 3600))
    .option('--label <text>', 'a name for the token, e.g. "phone"')
    .option('--seed-stdin', 'use an existing base32 seed read from standard input (default: a new random seed)')
    .option('--qr-file <path>', 'also write the QR code to this file (.png or .svg); it holds the seed, like the URI')
    .option('--serial <serial>', 'give the user an imported hardware token from the unassigned pool (`token import`); nothing is printed of its seed')
    .action(run(async (ctx, ref: string, o: AssignOptions) => {
      if (o.serial !== undefined) return assignFromPool(ctx, ref, o.serial);
      const format = o.qrFile ? qrFormat(o.qrFile) : undefined;
      const body = givenOptions(o, ['kind', 'algorithm', 'digits', 'period', 'label']);
      if (o.seedStdin) body.seed = (await readSecret({ fromStdin: true, name: 'seed', flag: '--seed-stdin' })).trim();
      const assigned = await ctx.api.send<Assigned>('POST', `/admin/v1/users/${seg(ref)}/tokens${format ? `?qr=${format}` : ''}`, body);
      if (o.qrFile && format) {
        try {
          const content = format === 'png' ? Buffer.from(assigned.qrPngBase64 ?? '', 'base64') : assigned.qrSvg ?? '';
          writeFileSync(o.qrFile, content, { mode: 0o600 });
        } catch (err) {
          // The token exists now: say so, so the administrator can remove it or show the URI.
          throw new CliError('qr_file_unwritable', `token ${assigned.token.tokenId} was assigned, but the QR code could not be written to ${o.qrFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, ExitCode.General);
        }
      }
      ctx.out.result({ token: assigned.token, otpauthUri: assigned.otpauthUri, ...(o.qrFile ? { qrFile: o.qrFile } : {}) }, () =>
        `assigned ${assigned.token.kind.toUpperCase()} token ${assigned.token.tokenId} to ${ref}\n` +
        renderRecord([
          ['otpauth URI', assigned.otpauthUri],
          ...(o.qrFile ? [['QR code', o.qrFile] as [string, unknown]] : []),
        ]) +
        'The URI and QR code hold the seed and are shown only now.\n');
    }));

  registerUserItemCommands(token, {
    noun: 'token', path: 'tokens', idArg: 'tokenId', columns: TOKEN_COLUMNS,
    listDescription: 'list a user\'s tokens (never their seeds)',
    removeDescription: 'remove one of a user\'s tokens',
  });

  registerTokenImport(token);
}
