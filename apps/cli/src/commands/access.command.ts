import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { run } from '../core/context';
import { renderRecord } from '../core/output';
import { ADMIN_COLUMNS, AdministratorView, SDK_CREDENTIAL_COLUMNS, SdkCredentialView } from './views';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerAccessCommands(program: Command): void {
  const sdk = program.command('sdk-credential').description('issue and revoke credentials for SDK clients (ADFS adapter, portal, applications)');

  sdk.command('issue <name>').description('issue a credential; its token is printed once')
    .requiredOption('--scope <scope>', 'authenticate, users:read or self-service; repeat or separate with commas', collect)
    .option('--certificate-fingerprint <sha256>', 'also bind it to a client certificate (SHA-256, hex)')
    .action(run(async (ctx, name: string, o: { scope: string[]; certificateFingerprint?: string }) => {
      const body: Record<string, unknown> = { name, scopes: o.scope };
      if (o.certificateFingerprint !== undefined) body.certificateFingerprint = o.certificateFingerprint;
      const issued = await ctx.api.send<SdkCredentialView & { token: string }>('POST', '/admin/v1/sdk-credentials', body);
      ctx.out.result(issued, () => `issued SDK credential ${issued.name} (${issued.credentialId})\n` +
        renderRecord([['scopes', issued.scopes], ['token', issued.token]]) +
        'The token is shown only now: store it in the client\'s configuration.\n');
    }));

  sdk.command('list').description('list SDK credentials (never their secrets)')
    .action(run(async (ctx) => ctx.out.table(await ctx.api.get<SdkCredentialView[]>('/admin/v1/sdk-credentials'), SDK_CREDENTIAL_COLUMNS, '(no SDK credentials)')));

  sdk.command('revoke <credential>').description('revoke a credential (by name or id); clients using it are refused at once')
    .action(run(async (ctx, ref: string) => {
      await ctx.api.send('DELETE', `/admin/v1/sdk-credentials/${seg(ref)}`);
      ctx.out.result({ revoked: ref }, () => `revoked SDK credential ${ref}\n`);
    }));

  const admin = program.command('admin').description('manage administrators (holders of admin API tokens)');

  admin.command('add <name>').description('add an administrator; the token is printed once')
    .action(run(async (ctx, name: string) => {
      const added = await ctx.api.send<AdministratorView & { token: string }>('POST', '/admin/v1/administrators', { name });
      ctx.out.result(added, () => `added administrator ${added.name} (${added.adminId})\n` +
        renderRecord([['token', added.token]]) + 'The token is shown only now: hand it over safely.\n');
    }));

  admin.command('list').description('list administrators')
    .action(run(async (ctx) => ctx.out.table(await ctx.api.get<AdministratorView[]>('/admin/v1/administrators'), ADMIN_COLUMNS)));

  admin.command('remove <admin>').description('remove an administrator (by name or id); the last one cannot be removed')
    .action(run(async (ctx, ref: string) => {
      await ctx.api.send('DELETE', `/admin/v1/administrators/${seg(ref)}`);
      ctx.out.result({ removed: ref }, () => `removed administrator ${ref}\n`);
    }));

  program.command('status').description('the node\'s role, cluster, log head and read model position')
    .action(run(async (ctx) => {
      const status = await ctx.api.get<Record<string, unknown>>('/admin/v1/status');
      const head = status.logHead as { position?: number; hash?: string } | undefined;
      ctx.out.result(status, () => renderRecord([
        ['cluster', status.clusterId], ['node', `${String(status.nodeName)} (${String(status.nodeId)})`], ['role', status.role],
        ['epoch', status.epoch], ['storage', status.storage], ['log head', head ? `${head.position} ${head.hash}` : '-'],
        ['read model at', status.readModelPosition], ['fenced', status.fenced ?? false],
        ['master', (status.master as { nodeName?: string } | null)?.nodeName ?? '-'],
        ...((status.slaves as Array<{ nodeName: string; lagEvents: number; lagMs: number }> | undefined) ?? []).map((s): [string, unknown] => [`slave ${s.nodeName}`, `lag ${s.lagEvents} events, ${s.lagMs} ms`]),
        ...(status.replication ? [['replication', (() => { const r = status.replication as { connected: boolean; lagEvents: number; lagMs: number }; return `${r.connected ? 'connected' : 'DISCONNECTED'}, lag ${r.lagEvents} events, ${r.lagMs} ms`; })()] as [string, unknown]] : []),
        ...(status.kafka ? [['kafka', (() => { const k = status.kafka as { topic: string; connected: boolean; publishedPosition: number; lagEvents: number }; return `${k.topic}: ${k.connected ? 'publishing' : 'NOT CONNECTED'}, published up to ${k.publishedPosition}, lag ${k.lagEvents} events`; })()] as [string, unknown]] : []),
        ...((status.setAside as Array<{ fromPosition: number; toPosition: number; count: number; reason: string }> | undefined) ?? []).map((s): [string, unknown] => ['set aside', `${s.count} events (${s.fromPosition}-${s.toPosition}): ${s.reason}`]),
      ]));
    }));
}
