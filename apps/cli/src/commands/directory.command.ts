import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { CliContext, collect, givenOptions, intOption, run } from '../core/context';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { readSecret } from '../core/secret-input';
import { parseDuration } from './rollout.command';

interface Counts { entries: number; created: number; updated: number; enabled: number; disabled: number; deleted: number; unchanged: number; refused: number }
interface Report {
  name: string; runId: string | null; dryRun: boolean; status: 'dry-run' | 'completed' | 'held' | 'failed'; server: string | null; counts: Counts | null; reason?: string;
  changes?: Array<{ action: string; username: string; fields?: string[] }>; refusals?: Array<{ username: string; reason: string }>;
}
interface Run { runId: string; startedAt: string; status: string; reason?: string; planned?: Counts; counts?: Counts; endedAt?: string; approvedBy?: string; server?: string }

const countsLine = (c: Counts) => `${c.entries} entries: ${c.created} created, ${c.updated} updated, ${c.enabled} enabled, ${c.disabled} disabled, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.refused} refused`;

// "username=sAMAccountName,displayName=displayName,email=mail,phones=mobile+telephoneNumber,language=preferredLanguage"
export function parseMapping(raw: string): Record<string, unknown> {
  const mapping: Record<string, unknown> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=').map((s) => s?.trim());
    if (!key || !value || !['username', 'displayName', 'email', 'phones', 'language'].includes(key)) {
      throw CliError.usage('--map takes username=<attr>,displayName=<attr>,email=<attr>,phones=<attr>+<attr>,language=<attr>', 'map');
    }
    mapping[key] = key === 'phones' ? value.split('+') : value;
  }
  if (!mapping.username) mapping.username = 'uid';
  return mapping;
}

function printReport(ctx: CliContext, r: Report): void {
  ctx.out.result(r, () => [
    ...(r.changes ?? []).map((c) => `${c.action.padEnd(7)} ${c.username}${c.fields ? ` (${c.fields.join(', ')})` : ''}`),
    ...(r.refusals ?? []).map((f) => `refused ${f.username}: ${f.reason}`),
    `${r.dryRun ? 'dry run (nothing written)' : `run ${r.runId} ${r.status}`}${r.server ? ` from ${r.server}` : ''}${r.counts ? `: ${countsLine(r.counts)}` : ''}`,
    ...(r.reason ? [`${r.status === 'held' ? 'held' : r.dryRun ? 'would be held' : 'reason'}: ${r.reason}`] : []),
    ...(r.status === 'held' ? [`approve it with: twofold directory approve ${r.runId}`] : []),
  ].join('\n') + '\n');
  if (r.status === 'held') throw new CliError('sync_held', `run ${r.runId} is waiting for approval`, ExitCode.Conflict);
  if (r.status === 'failed') throw new CliError('sync_failed', r.reason ?? 'the sync failed', /unreachable/.test(r.reason ?? '') ? ExitCode.Unavailable : ExitCode.General);
}

interface SourceOptions {
  server?: string[]; startTls?: boolean; noStartTls?: boolean; caFile?: string; bindDn?: string; bindPasswordStdin?: boolean; baseDn?: string; filter?: string;
  groupDn?: string; map?: string; interval?: string; removal?: string; threshold?: number; nestedGroups?: string | boolean; timeout?: string;
}

// add: --server, --bind-dn and --base-dn required; update: every option optional.
function sourceOptions(cmd: Command, adding: boolean): Command {
  const opt = (flags: string, text: string, parse?: (v: string, p: string[]) => string[]) => (adding ? cmd.requiredOption(flags, text, parse as never) : cmd.option(flags, text, parse as never));
  opt('--server <url>', `ldap:// or ldaps:// directory server URL; repeat for fail-over, tried in order${adding ? '' : ' (replaces the list)'}`, collect);
  cmd.option('--start-tls', 'upgrade ldap:// connections with StartTLS');
  if (!adding) cmd.option('--no-start-tls', 'stop using StartTLS');
  cmd.option('--ca-file <file>', 'CA certificate (PEM, on the master) that signed the directory servers\' certificates');
  opt('--bind-dn <dn>', 'DN to bind as (a read-only service account)');
  cmd.option('--bind-password-stdin', 'read the bind password from the first line of standard input');
  opt('--base-dn <dn>', 'where to search for users');
  return cmd
    .option('--filter <filter>', 'LDAP filter for users (default (objectClass=person))')
    .option('--group-dn <dn>', 'only members of this group')
    .option('--nested-groups [mode]', 'members of groups inside --group-dn too: auto (default when given: in-chain on Active Directory, else walk), in-chain (AD\'s memberOf:1.2.840.113556.1.4.1941:), walk (follow member attributes, any LDAP server) or off')
    .option('--map <mapping>', 'attribute mapping, e.g. username=sAMAccountName,displayName=displayName,email=mail,phones=mobile+telephoneNumber (default username=uid)')
    .option('--interval <duration>', 'sync every 15m, 1h, ... (0 for on demand only; default 15m)')
    .option('--removal <policy>', 'users who left: disable (default) or delete')
    .option('--threshold <percent>', 'hold a run that would disable/delete more than this share of the source\'s users (default 10)', intOption('--threshold', 0, 100))
    .option('--timeout <duration>', 'connect and operation time-out per directory server, e.g. 5s (default 5s)');
}

function sourceBody(o: SourceOptions): Record<string, unknown> {
  const body = givenOptions(o, ['caFile', 'bindDn', 'baseDn', 'filter', 'groupDn']);
  if (o.server) body.urls = o.server;
  if (o.startTls === true) body.startTls = true;
  else if (o.startTls === false) body.startTls = false; // --no-start-tls (update only)
  if (o.nestedGroups !== undefined) body.nestedGroups = o.nestedGroups === true ? 'auto' : o.nestedGroups;
  if (o.map) body.mapping = parseMapping(o.map);
  if (o.interval !== undefined) body.intervalMinutes = o.interval.trim() === '0' ? 0 : Math.max(1, Math.round(parseDuration(o.interval, '--interval') / 60));
  if (o.removal) body.removal = o.removal;
  if (o.threshold !== undefined) body.thresholdPercent = o.threshold;
  if (o.timeout !== undefined) body.timeoutMs = parseDuration(o.timeout, '--timeout') * 1000;
  return body;
}

export function registerDirectoryCommands(program: Command): void {
  const dir = program.command('directory').description('LDAP / Active Directory sources synced into users (on the master)');

  sourceOptions(dir.command('add <name>').description('add an LDAP/AD source (bind password asked for at a prompt unless --bind-password-stdin)'), true)
    .action(run(async (ctx, name: string, o: SourceOptions) => {
      const bindPassword = await readSecret({ fromStdin: o.bindPasswordStdin, name: 'bind password', flag: '--bind-password-stdin' });
      const added = await ctx.api.send<Record<string, unknown>>('POST', '/admin/v1/directories', { name, ...sourceBody(o), bindPassword });
      ctx.out.result(added, () => `added directory source ${name}\n${renderRecord(Object.entries(added))}`);
    }));

  sourceOptions(dir.command('update <name>').description('change a source: only the options given (a new bind password with --bind-password, at a prompt, or --bind-password-stdin)'), false)
    .option('--bind-password', 'ask for a new bind password at a prompt')
    .action(run(async (ctx, name: string, o: SourceOptions & { bindPassword?: boolean }) => {
      const body = sourceBody(o);
      if (o.bindPassword || o.bindPasswordStdin) body.bindPassword = await readSecret({ fromStdin: o.bindPasswordStdin, name: 'bind password', flag: '--bind-password-stdin' });
      if (Object.keys(body).length === 0) throw CliError.usage('nothing to change: give at least one option (see --help)');
      const updated = await ctx.api.send<Record<string, unknown>>('PATCH', `/admin/v1/directories/${seg(name)}`, body);
      ctx.out.result(updated, () => `updated directory source ${name}\n${renderRecord(Object.entries(updated))}`);
    }));

  dir.command('remove <name>').description('remove a source; the users it synced stay as they are (enabled or disabled) and are no longer synced')
    .action(run(async (ctx, name: string) => {
      const removed = await ctx.api.send<{ name: string; keptUsers: number }>('DELETE', `/admin/v1/directories/${seg(name)}`);
      ctx.out.result(removed, () => `removed directory source ${removed.name}; its ${removed.keptUsers} user(s) stay and are no longer synced\n`);
    }));

  dir.command('list').description('list directory sources')
    .action(run(async (ctx) => {
      const names = await ctx.api.get<string[]>('/admin/v1/directories');
      ctx.out.result(names, () => (names.length ? names.join('\n') : '(no directory sources)') + '\n');
    }));

  dir.command('show <name>').description('a source, the users it manages and its recent runs (why a run is held)')
    .action(run(async (ctx, name: string) => {
      const shown = await ctx.api.get<{ source: Record<string, unknown>; managedUsers: number; runs: Run[] }>(`/admin/v1/directories/${seg(name)}`);
      ctx.out.result(shown, () => renderRecord([...Object.entries(shown.source), ['managed users', shown.managedUsers]]) + 'runs:\n' +
        (shown.runs.length ? shown.runs.map((r) => `  ${r.runId.padEnd(12)} ${r.status.padEnd(9)} ${r.startedAt}${r.counts ? `  ${countsLine(r.counts)}` : r.planned ? `  planned: ${countsLine(r.planned)}` : ''}${r.reason ? `\n               ${r.reason}` : ''}${r.approvedBy ? `\n               approved by ${r.approvedBy}` : ''}`).join('\n') : '  (none yet)') + '\n');
    }));

  dir.command('sync <name>').description('sync the source now (on the master); --dry-run prints the changes and writes nothing')
    .option('--dry-run', 'show what would change, write nothing')
    .action(run(async (ctx, name: string, o: { dryRun?: boolean }) => {
      printReport(ctx, await ctx.api.send<Report>('POST', `/admin/v1/directories/${seg(name)}/sync${o.dryRun ? '?dryRun=true' : ''}`));
    }));

  dir.command('approve <run>').description('let a run held by the safety threshold go on (run id from `directory show`)')
    .action(run(async (ctx, runId: string) => {
      printReport(ctx, await ctx.api.send<Report>('POST', `/admin/v1/directories/runs/${seg(runId)}/approve`));
    }));
}
