import { randomUUID, X509Certificate, createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { isIP } from 'node:net';
import { Command } from 'commander';
import { run } from '../core/context';
import { CliError } from '../core/cli-error';
import { ExitCode } from '../core/exit-codes';
import { renderRecord } from '../core/output';
import { tokenFromStdin } from '../core/secret-input';
import { seg } from '../core/admin-client';
import { CLUSTER_NODE_COLUMNS, ClusterNodeView } from './views';

interface JoinToken { i: string; s: string; f: string }

function decodeToken(text: string): JoinToken {
  try {
    const t = JSON.parse(Buffer.from(text.trim(), 'base64url').toString('utf8')) as JoinToken;
    if (typeof t.i === 'string' && typeof t.s === 'string' && /^[0-9a-f]{64}$/.test(t.f)) return t;
  } catch { /* below */ }
  throw CliError.validation('the join token is not valid (copy it whole from `twofold cluster add-node`)', 'token');
}

function hostPort(text: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw CliError.usage('--master must be HOST:PORT (the master\'s HTTPS port, 8443 by default)', 'master');
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the master's JSON, read field by field below
function httpsJson(opts: { host: string; port: number; path: string; method: string; ca?: Array<string | Buffer>; body?: unknown; insecure?: boolean }): Promise<{ status: number; body: any }> {
  return new Promise((resolveAnswer, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request({
      host: opts.host, port: opts.port, path: opts.path, method: opts.method, agent: false, timeout: 15_000,
      ca: opts.ca, rejectUnauthorized: !opts.insecure, servername: isIP(opts.host) ? undefined : opts.host,
      headers: payload ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { text += c; });
      res.on('end', () => {
        try { resolveAnswer({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }); } catch { resolveAnswer({ status: res.statusCode ?? 0, body: text }); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err: Error & { code?: string }) => {
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(err.code ?? '')) {
        reject(new CliError('tls_error', `cannot verify ${opts.host}:${opts.port} (${err.code}): ${err.message}; if the master serves an enterprise certificate, pass its CA with --ca or TWOFOLD_CA_FILE`, ExitCode.Unavailable));
      } else reject(new CliError('unreachable', `cannot reach ${opts.host}:${opts.port}: ${err.message}`, ExitCode.Unavailable));
    });
    if (payload) req.write(payload);
    req.end();
  });
}

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('members of the cluster: join tokens for new nodes, removal, certificate rotation');

  cluster.command('nodes').description('list member nodes with the certificate fingerprint the log records for each')
    .action(run(async (ctx) => ctx.out.table(await ctx.api.get<ClusterNodeView[]>('/admin/v1/cluster/nodes'), CLUSTER_NODE_COLUMNS, '(no nodes)')));

  cluster.command('remove-node <name>').description('remove a node: its certificate is refused on every node at once and it no longer counts for synchronous replication')
    .action(run(async (ctx, name: string) => {
      const r = await ctx.api.send<{ nodeName: string; nodeId: string }>('POST', `/admin/v1/cluster/nodes/${seg(name)}/remove`);
      ctx.out.result(r, () => `removed node ${r.nodeName} (${r.nodeId}); to bring that machine back, join it again with a new token\n`);
    }));

  cluster.command('reissue-cert <name>').description('issue a new certificate for a node (rotation); the old one is refused from now on')
    .option('--out <dir>', 'where to write node.pem and node.key.pem (copy them into that node\'s <data-dir>/tls/ and restart it)', '.')
    .action(run(async (ctx, name: string, o: { out: string }) => {
      const r = await ctx.api.send<{ nodeName: string; fingerprint: string; certPem: string; keyPem: string; installed: boolean }>('POST', `/admin/v1/cluster/nodes/${seg(name)}/certificate`);
      if (!r.installed) {
        writeFileSync(resolve(o.out, 'node.pem'), r.certPem);
        writeFileSync(resolve(o.out, 'node.key.pem'), r.keyPem, { mode: 0o600 });
      }
      const { certPem: _c, keyPem: _k, ...shown } = r;
      ctx.out.result(shown, () => renderRecord([['node', r.nodeName], ['fingerprint', r.fingerprint]]) + (r.installed
        ? 'This is the node that issued it: the new certificate is installed in its data directory; restart it to present it.\n'
        : `Wrote ${resolve(o.out, 'node.pem')} and node.key.pem: copy them into ${r.nodeName}'s <data-dir>/tls/ and restart it.\n`));
    }));

  cluster.command('add-node <name>').description('issue a one-time join token (valid one hour) for a new node with this name')
    .action(run(async (ctx, name: string) => {
      const issued = await ctx.api.send<{ nodeName: string; token: string; expiresAt: string }>('POST', '/admin/v1/cluster/join-tokens', { name });
      ctx.out.result(issued, () => `join token for node ${issued.nodeName} (valid until ${issued.expiresAt}):\n\n  ${issued.token}\n\n` +
        'On the new machine: TWOFOLD_JOIN_TOKEN=<token> twofold join --master <this-node>:8443 --advertise-host <its-address>\n' +
        '(or pipe the token into `twofold join ... --token -`; a token on the command line shows in `ps`)\n');
    }));

  program.command('join').description('make this machine a slave of an existing cluster (creates the data directory)')
    .requiredOption('--master <host:port>', 'the master\'s HTTPS address (host:port)')
    // --token is also the global admin-token option; for join it carries the join token.
    .option('--token <token>', 'the token from `twofold cluster add-node` on the master; "-" reads it from standard input (or set TWOFOLD_JOIN_TOKEN): a token on the command line shows in `ps`')
    .option('--advertise-host <host>', 'how other nodes reach this one', process.env.TWOFOLD_ADVERTISE_HOST ?? hostname())
    .option('--http-port <port>', 'this node\'s HTTPS port', process.env.TWOFOLD_HTTP_PORT ?? '8443')
    .option('--replication-port <port>', 'this node\'s replication port (used once it is promoted)', process.env.TWOFOLD_REPLICATION_PORT ?? '4443')
    .action(run(async (ctx, o: { master: string; token?: string; advertiseHost: string; httpPort: string; replicationPort: string }) => {
      const tokenText = await tokenFromStdin(o.token ?? (process.env.TWOFOLD_JOIN_TOKEN || undefined) ?? ctx.options.token, '--token');
      if (!tokenText) throw CliError.usage('a join token is required: TWOFOLD_JOIN_TOKEN, or --token - with the token on standard input (the token from `twofold cluster add-node` on the master)', 'token');
      const { writeJoinedDataDir, dataDirExists } = await import('@twofold/platform');
      const dir = resolve(ctx.dataDir);
      if (dataDirExists(dir)) throw new CliError('already_initialized', `${dir} already holds a Twofold data directory`, ExitCode.Conflict);
      const token = decodeToken(tokenText);
      const master = hostPort(o.master);
      // Pin the cluster CA by the fingerprint in the token before sending the token's secret.
      const caAnswer = await httpsJson({ ...master, path: '/cluster/v1/ca', method: 'GET', insecure: true });
      const caPem = caAnswer.body?.certPem;
      const fingerprint = typeof caPem === 'string' ? createHash('sha256').update(new X509Certificate(caPem).raw).digest('hex') : '';
      if (fingerprint !== token.f) throw new CliError('untrusted_master', `${o.master} does not hold the CA named in the token; refusing to join`, ExitCode.Unavailable);
      // The token goes only to a master verified by the pinned cluster CA, or by a CA the
      // administrator names (--ca) or the system trusts, when its HTTPS port serves an enterprise certificate.
      const extraCa = ctx.caFile();
      const answer = await httpsJson({
        ...master, path: '/cluster/v1/join', method: 'POST', ca: [caPem, ...rootCertificates, ...(extraCa ? [extraCa] : [])],
        body: { token: tokenText, nodeId: randomUUID(), host: o.advertiseHost, httpPort: Number(o.httpPort), replicationPort: Number(o.replicationPort) },
      });
      if (answer.status !== 200) {
        const code = answer.body?.code ?? 'join_failed';
        throw new CliError(code, `the master refused the join: ${answer.body?.detail ?? answer.status}`, answer.status >= 500 ? ExitCode.Unavailable : ExitCode.Validation);
      }
      const m = answer.body;
      writeJoinedDataDir(dir, { identity: m.identity, masterKey: Buffer.from(m.masterKey, 'base64'), ca: m.ca, tls: m.tls });
      ctx.out.result({ dataDir: dir, nodeId: m.identity.nodeId, nodeName: m.identity.nodeName, master: m.identity.joinedMaster },
        () => `joined cluster ${m.identity.clusterId} as ${m.identity.nodeName}; data directory ${dir}\nStart the server on this data directory: it follows the master and serves RADIUS and the SDK.\n`);
    }));

  program.command('promote').description('make the node at --url the master (a slave whose master is gone); it first fetches what reachable peers hold beyond its log, then writes the next epoch record')
    .option('--force', 'promote even if a peer holds writes this node cannot fetch (they are lost; recorded in the log)')
    .action(run(async (ctx, o: { force?: boolean }) => {
      const r = await ctx.api.send<{ role: string; epoch: number }>('POST', '/admin/v1/cluster/promote', o.force ? { force: true } : undefined);
      ctx.out.result(r, () => renderRecord([['role', r.role], ['epoch', r.epoch]]));
    }));
}
