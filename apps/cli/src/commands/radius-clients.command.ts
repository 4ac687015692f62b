import { isAbsolute, resolve } from 'node:path';
import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { CliError } from '../core/cli-error';
import { collect, givenOptions, intOption, run } from '../core/context';
import { renderRecord } from '../core/output';
import { readSecret } from '../core/secret-input';
import { parseDuration } from './rollout.command';
import { ifMatch } from './users.command';
import { RADIUS_CLIENT_COLUMNS, radiusClientRecord, RadiusClientView } from './views';

interface ClientOptions {
  name?: string; address?: string; firstFactor?: string; messageAuthenticator?: string; ldap?: string; upstream?: string;
  secret?: string; secretStdin?: boolean; ifMatch?: number; unenrolled?: string;
  ldapServer?: string[]; ldapTimeout?: string; ldapCaFile?: string;
}

const hasLdapFlags = (o: ClientOptions) => o.ldapServer !== undefined || o.ldapTimeout !== undefined || o.ldapCaFile !== undefined;

// --ldap-server/--ldap-timeout/--ldap-ca-file over the LDAP settings (given with --ldap, or on
// update the client's current ones: the server keeps a bind password left out).
function withLdapFlags(ldap: Record<string, unknown>, o: ClientOptions): Record<string, unknown> {
  const { bindPasswordSet: _set, url, ...rest } = ldap;
  const merged: Record<string, unknown> = { ...rest, ...(url !== undefined && rest.urls === undefined ? { urls: [url] } : {}) };
  if (o.ldapServer) { merged.urls = o.ldapServer; delete merged.url; }
  if (o.ldapTimeout !== undefined) merged.timeoutMs = parseDuration(o.ldapTimeout, '--ldap-timeout') * 1000;
  if (o.ldapCaFile !== undefined) merged.caFile = isAbsolute(o.ldapCaFile) ? o.ldapCaFile : resolve(o.ldapCaFile);
  return merged;
}

function jsonObject(flag: string, raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw CliError.usage(`${flag} must be a JSON object, e.g. '{"url":"ldaps://dc1.example.org"}'`, flag.slice(2));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw CliError.usage(`${flag} must be a JSON object`, flag.slice(2));
  return value as Record<string, unknown>;
}

function clientBody(o: ClientOptions): Record<string, unknown> {
  const body = givenOptions(o, ['name', 'address', 'firstFactor', 'unenrolled']);
  if (o.messageAuthenticator !== undefined) {
    if (!['required', 'optional'].includes(o.messageAuthenticator)) throw CliError.usage('--message-authenticator must be "required" or "optional"', 'message-authenticator');
    body.requireMessageAuthenticator = o.messageAuthenticator === 'required';
  }
  if (o.ldap !== undefined) body.ldap = jsonObject('--ldap', o.ldap);
  if (hasLdapFlags(o) && body.ldap) body.ldap = withLdapFlags(body.ldap as Record<string, unknown>, o);
  if (o.upstream !== undefined) body.upstream = jsonObject('--upstream', o.upstream);
  return body;
}

function clientOptions(cmd: Command): Command {
  return cmd
    .option('--first-factor <mode>', 'none, local-password, ldap or radius-proxy')
    .option('--message-authenticator <required|optional>', 'require Message-Authenticator on requests (default required; "optional" only for legacy clients)')
    .option('--ldap <json>', 'LDAP settings for firstFactor=ldap, as a JSON object: urls (tried in order) or url, bindDnTemplate or searchBase (+ searchFilter, bindDn, bindPassword), startTls, timeoutMs, caFile')
    .option('--ldap-server <url>', 'LDAP server for the first factor; repeat for fail-over, tried in order (replaces the list)', collect)
    .option('--ldap-timeout <duration>', 'connect and operation time-out per LDAP server, e.g. 3s (default 5s); a server that does not answer in time hands over to the next')
    .option('--ldap-ca-file <file>', 'CA certificate (PEM) trusted for the LDAP servers, at this path on every node')
    .option('--upstream <json>', 'upstream RADIUS server for firstFactor=radius-proxy, as a JSON object (its "secret" lands in shell history)')
    .option('--unenrolled <policy>', 'users with no second factor yet: reject (default) or first-factor-only (staged rollout; needs a first factor)')
    .option('--secret-stdin', 'read the shared secret from the first line of standard input')
    .option('--secret <secret>', 'the shared secret itself (lands in your shell history: prefer the prompt or --secret-stdin)');
}

export function registerRadiusClientCommands(program: Command): void {
  const rc = program.command('radius-client').description('manage RADIUS clients (NAS, VPN gateways) and their shared secrets');

  clientOptions(rc.command('add <name>').description('add a RADIUS client (shared secret asked for at a prompt unless --secret-stdin)')
    .requiredOption('--address <address>', 'source IP address or CIDR range, e.g. 10.0.0.5 or 10.0.0.0/24'))
    .action(run(async (ctx, name: string, o: ClientOptions) => {
      if (hasLdapFlags(o) && o.ldap === undefined) throw CliError.usage('--ldap-server, --ldap-timeout and --ldap-ca-file go with --ldap (the rest of the LDAP settings) when adding a client', 'ldap');
      const secret = await readSecret({ value: o.secret, fromStdin: o.secretStdin, name: 'shared secret', flag: '--secret-stdin', confirm: true });
      const added = await ctx.api.send<RadiusClientView>('POST', '/admin/v1/radius-clients', { ...clientBody({ ...o, name }), secret });
      ctx.out.result(added, () => `added RADIUS client ${added.name}\n${renderRecord(radiusClientRecord(added))}`);
    }));

  rc.command('list').description('list RADIUS clients (never their secrets)')
    .action(run(async (ctx) => ctx.out.table(await ctx.api.get<RadiusClientView[]>('/admin/v1/radius-clients'), RADIUS_CLIENT_COLUMNS, '(no RADIUS clients)')));

  rc.command('show <client>').description('show one RADIUS client (by name or id)')
    .action(run(async (ctx, ref: string) => {
      const client = await ctx.api.get<RadiusClientView>(`/admin/v1/radius-clients/${seg(ref)}`);
      ctx.out.result(client, () => renderRecord(radiusClientRecord(client)));
    }));

  clientOptions(rc.command('update <client>').description('change a RADIUS client; give --secret-stdin (or --secret) to replace the shared secret')
    .option('--name <name>', 'new name')
    .option('--address <address>', 'new source address or CIDR range'))
    .option('--if-match <version>', 'only if the client is still at this version', intOption('--if-match', 0, 999_999_999))
    .action(run(async (ctx, ref: string, o: ClientOptions) => {
      const body = clientBody(o);
      if (hasLdapFlags(o) && body.ldap === undefined) {
        const current = await ctx.api.get<RadiusClientView>(`/admin/v1/radius-clients/${seg(ref)}`);
        if (!current.ldap) throw CliError.usage('this client has no LDAP settings yet: give them with --ldap', 'ldap');
        body.ldap = withLdapFlags(current.ldap, o);
      }
      if (o.secret !== undefined || o.secretStdin) body.secret = await readSecret({ value: o.secret, fromStdin: o.secretStdin, name: 'shared secret', flag: '--secret-stdin' });
      if (Object.keys(body).length === 0) throw CliError.usage('nothing to change: give at least one option (see --help)');
      const updated = await ctx.api.send<RadiusClientView>('PATCH', `/admin/v1/radius-clients/${seg(ref)}`, body, ifMatch(o.ifMatch));
      ctx.out.result(updated, () => `updated RADIUS client ${updated.name}\n${renderRecord(radiusClientRecord(updated))}`);
    }));

  rc.command('remove <client>').description('remove a RADIUS client')
    .action(run(async (ctx, ref: string) => {
      await ctx.api.send('DELETE', `/admin/v1/radius-clients/${seg(ref)}`);
      ctx.out.result({ removed: ref }, () => `removed RADIUS client ${ref}\n`);
    }));
}
