import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { seg } from '../core/admin-client';
import { run } from '../core/context';
import { renderRecord } from '../core/output';
import { ADMIN_COLUMNS, AdministratorView, SDK_CREDENTIAL_COLUMNS, SdkCredentialView } from './views';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerAccessCommands(program: Command): void {
  const sdk = program.command('sdk-credential').description('issue and revoke credentials for SDK clients (ADFS adapter, portal, applications)');

  sdk.command('issue <name>').description('issue a credential; its token is printed once')
    .requiredOption('--scope <scope>', 'authenticate, users:read, self-service or devices; repeat or separate with commas', collect)
    .option('--certificate-fingerprint <sha256>', 'also bind it to a client certificate (SHA-256, hex)')
    .action(run(async (ctx, name: string, o: { scope: string[]; certificateFingerprint?: string }) => {
      const body: Record<string, unknown> = { name, scopes: o.scope };
      if (o.certificateFingerprint !== undefined) body.certificateFingerprint = o.certificateFingerprint;
      const issued = await ctx.api.send<SdkCredentialView & { token: string }>('POST', '/admin/v1/sdk-credentials', body);
      ctx.out.result(issued, () => `issued SDK credential ${issued.name} (${issued.credentialId})\n` +
        renderRecord([['scopes', issued.scopes], ['token', issued.token]]) +
        'The token is shown only now: store it in the client\'s configuration.\n');
    }));

  // The master issues the certificate: no CA key is handed to the administrators of other systems.
  sdk.command('issue-certificate <name>').description('have the master issue a client certificate (CN <name>) for an SDK application; writes <out>.pem and <out>.key.pem')
    .option('--out <prefix>', 'file name prefix for the certificate and its key', '')
    .action(run(async (ctx, name: string, o: { out: string }) => {
      const issued = await ctx.api.send<{ name: string; certificateFingerprint: string; certPem: string; keyPem: string; caPem: string }>('POST', '/admin/v1/sdk-client-certificates', { name });
      const prefix = o.out || name.replace(/[^A-Za-z0-9._-]/g, '_');
      writeFileSync(`${prefix}.pem`, issued.certPem);
      writeFileSync(`${prefix}.key.pem`, issued.keyPem, { mode: 0o600 });
      writeFileSync(`${prefix}.ca.pem`, issued.caPem);
      ctx.out.result({ name: issued.name, certificateFingerprint: issued.certificateFingerprint, certFile: `${prefix}.pem`, keyFile: `${prefix}.key.pem`, caFile: `${prefix}.ca.pem` },
        () => `client certificate for ${issued.name} written to ${prefix}.pem (key ${prefix}.key.pem, mode 0600; cluster CA ${prefix}.ca.pem)
` +
          renderRecord([['fingerprint', issued.certificateFingerprint]]) +
          `Bind it: twofold sdk-credential issue ${issued.name} --scope authenticate,users:read --certificate-fingerprint ${issued.certificateFingerprint}
`);
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
        ...onceOnlyRows((status.replication as { onceOnly?: OnceOnly } | null)?.onceOnly),
        ...(status.kafka ? [['kafka', kafkaLine(status.kafka as KafkaStatus)] as [string, unknown]] : []),
        ...((status.setAside as Array<{ fromPosition: number; toPosition: number; count: number; reason: string }> | undefined) ?? []).map((s): [string, unknown] => ['set aside', `${s.count} events (${s.fromPosition}-${s.toPosition}): ${s.reason}`]),
      ]));
    }));
}

interface KafkaStatus {
  topic: string; publishing?: boolean; connected: boolean; publishedPosition: number; lagEvents: number;
  following?: { connected: boolean; localHead: number; topicEnd: number | null; lastRefusal: { reason: string } | null } | null;
}

// The master publishes (and shows its publishing lag); a slave reading from Kafka shows its follower.
function kafkaLine(k: KafkaStatus): string {
  const f = k.following;
  if (f) return `${k.topic}: ${f.connected ? 'following' : 'NOT CONNECTED'}, local head ${f.localHead}${f.lastRefusal ? `, refused: ${f.lastRefusal.reason}` : ''}`;
  if (k.publishing === false) return `${k.topic}: not publishing (not the master)`;
  return `${k.topic}: ${k.connected ? 'publishing' : 'NOT CONNECTED'}, published up to ${k.publishedPosition}, lag ${k.lagEvents} events`;
}

interface OnceOnly { masterUnreachableSince: string | null; acceptedUnconfirmed: number; acceptedUnconfirmedSince: string | null; refusedAfterAccept: number }

// A slave without its master accepts codes on its own record: say how many, and since when.
function onceOnlyRows(o: OnceOnly | undefined): Array<[string, unknown]> {
  if (!o) return [];
  return [
    ['master unreachable since', o.masterUnreachableSince ?? '-'],
    ['codes accepted unconfirmed', o.acceptedUnconfirmed ? `${o.acceptedUnconfirmed} since ${o.acceptedUnconfirmedSince}` : 0],
    ['refused after accept', o.refusedAfterAccept],
  ];
}
