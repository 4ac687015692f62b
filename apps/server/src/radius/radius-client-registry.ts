import { rootCertificates } from 'node:tls';
import type { Logger } from 'pino';
import { FirstFactorMode, openRadiusSecret, SealContext, SealedSecret, SecretSealer, errorCodeOf } from '@twofold/domain';
import {
  FirstFactorProvider, LdapFirstFactor, LocalPasswordFirstFactor, NoFirstFactor, PasswordVerifier, RadiusProxyFirstFactor,
} from '@twofold/mfa';
import { AddressSpec, EngineRadiusClient, mostSpecificMatch, parseAddressSpec, RadiusClientLookup, UpstreamRadiusClient } from '@twofold/radius';
import type { RadiusClientView, ReadModelQueries } from '@twofold/read-model';
import { readLdapCaFile } from './ldap-ca-file';

export interface RegisteredClient extends EngineRadiusClient {
  spec: AddressSpec;
  version: number;
}

export interface RadiusClientRegistryDeps {
  queries: Pick<ReadModelQueries, 'listRadiusClients'>;
  sealer: SecretSealer;
  hasher: PasswordVerifier;
  logger: Logger;
  refreshMs?: number; // re-read the read model at least this often (it also reloads when told)
  missReloadMs?: number; // an unknown source triggers a re-read, at most this often
}

// `url`: a read model projected by a release before LDAP fail-over (v1 events).
interface LdapView { urls?: string[]; url?: string; timeoutMs?: number; caFile?: string; bindDnTemplate?: string; searchBase?: string; searchFilter?: string; bindDn?: string; bindPassword?: SealedSecret; startTls?: boolean }
interface UpstreamView { host: string; port: number; secret: SealedSecret; timeoutMs: number }

const MAX_CACHED_MATCHES = 4096;

// The RADIUS clients of the read model, with secrets opened and first-factor providers built,
// matched by source address. Rebuilt only for clients whose version changed.
export class RadiusClientRegistry implements RadiusClientLookup<RegisteredClient> {
  private clients: RegisteredClient[] = [];
  private readonly matches = new Map<string, RegisteredClient>();
  private loadedAt = Number.NEGATIVE_INFINITY;
  private stale = true;
  private loading?: Promise<void>;
  private readonly refreshMs: number;
  private readonly missReloadMs: number;

  constructor(private readonly deps: RadiusClientRegistryDeps) {
    this.refreshMs = deps.refreshMs ?? 5000;
    this.missReloadMs = deps.missReloadMs ?? 250;
  }

  invalidate(): void {
    this.stale = true;
  }

  get size(): number {
    return this.clients.length;
  }

  // Synchronous when the clients are loaded and fresh (the per-request case): no await hop.
  lookup(address: string): RegisteredClient | undefined | Promise<RegisteredClient | undefined> {
    if (this.stale || Date.now() - this.loadedAt > this.refreshMs) return this.lookupAfterReload(address);
    const hit = this.match(address);
    if (hit || Date.now() - this.loadedAt < this.missReloadMs) return hit;
    // A client added a moment ago may not be loaded yet.
    return this.reload().then(() => this.match(address));
  }

  private async lookupAfterReload(address: string): Promise<RegisteredClient | undefined> {
    await this.reload();
    const hit = this.match(address);
    if (hit || Date.now() - this.loadedAt < this.missReloadMs) return hit;
    await this.reload();
    return this.match(address);
  }

  // Matches of the loaded clients by source address, kept until the next load (hits only: a miss
  // may be a client about to be loaded).
  private match(address: string): RegisteredClient | undefined {
    const cached = this.matches.get(address);
    if (cached) return cached;
    const hit = mostSpecificMatch(this.clients, (c) => c.spec, address);
    if (hit) {
      if (this.matches.size >= MAX_CACHED_MATCHES) this.matches.clear();
      this.matches.set(address, hit);
    }
    return hit;
  }

  reload(): Promise<void> {
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    this.stale = false;
    const views = await this.deps.queries.listRadiusClients();
    const previous = new Map(this.clients.map((c) => [c.clientId, c]));
    const next: RegisteredClient[] = [];
    for (const view of views) {
      const kept = previous.get(view.clientId);
      if (kept && kept.version === view.version) {
        next.push(kept);
        continue;
      }
      try {
        next.push(this.build(view));
      } catch (error) {
        const code = errorCodeOf(error) ?? 'error';
        // The CA file's path helps; other messages may carry what must not be logged.
        const detail = code.startsWith('ca_file_') ? { detail: (error as Error).message } : {};
        this.deps.logger.error({ clientId: view.clientId, name: view.name, code, ...detail }, 'RADIUS client cannot be loaded; its requests are dropped');
      }
    }
    this.clients = next;
    this.matches.clear();
    this.loadedAt = Date.now();
  }

  private build(view: RadiusClientView): RegisteredClient {
    const secret = Buffer.from(openRadiusSecret(this.deps.sealer, view.clientId, view.secret), 'utf8');
    return {
      clientId: view.clientId,
      name: view.name,
      version: view.version,
      spec: parseAddressSpec(view.address),
      secret,
      requireMessageAuthenticator: view.requireMessageAuthenticator,
      engineClient: { clientId: view.clientId, firstFactor: this.firstFactor(view.firstFactor, view), unenrolled: view.unenrolled ?? 'reject' },
    };
  }

  private firstFactor(mode: FirstFactorMode, view: RadiusClientView): FirstFactorProvider {
    switch (mode) {
      case 'local-password':
        return new LocalPasswordFirstFactor(this.deps.hasher);
      case 'ldap': {
        const ldap = view.ldap as unknown as LdapView;
        return new LdapFirstFactor({
          urls: ldap.urls ?? (ldap.url ? [ldap.url] : []), timeoutMs: ldap.timeoutMs, bindDnTemplate: ldap.bindDnTemplate, searchBase: ldap.searchBase, searchFilter: ldap.searchFilter,
          bindDn: ldap.bindDn, startTls: ldap.startTls,
          bindPassword: ldap.bindPassword ? this.deps.sealer.open(ldap.bindPassword, SealContext.ldapBindPassword(view.clientId)) : undefined,
          ...(ldap.caFile ? { tlsOptions: { ca: [...rootCertificates, readLdapCaFile(ldap.caFile)] } } : {}),
          onServerFailed: (url, detail) => this.deps.logger.warn({ clientId: view.clientId, name: view.name, url, detail }, 'LDAP server failed; trying the next one'),
        });
      }
      case 'radius-proxy': {
        const upstream = view.upstream as unknown as UpstreamView;
        return new RadiusProxyFirstFactor(new UpstreamRadiusClient({
          host: upstream.host, port: upstream.port, timeoutMs: upstream.timeoutMs,
          secret: this.deps.sealer.open(upstream.secret, SealContext.radiusUpstreamSecret(view.clientId)),
        }));
      }
      default:
        return new NoFirstFactor();
    }
  }
}
