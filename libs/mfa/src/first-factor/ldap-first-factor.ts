import type { ConnectionOptions } from 'node:tls';
import { errorCodeOf } from '@twofold/domain';
import { Client, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import { FirstFactorError, FirstFactorInput, FirstFactorProvider, FirstFactorResult } from './first-factor';

export interface LdapFirstFactorOptions {
  // ldap:// (optionally with startTls) or ldaps://, tried in order: a server that cannot be reached,
  // does not answer within timeoutMs or fails for its own reasons hands over to the next; one that
  // answers (password right or wrong, user found or not) decides.
  urls: string[];
  // Direct bind: "uid={username},ou=people,dc=example,dc=org".
  bindDnTemplate?: string;
  // Search-then-bind: find the entry under searchBase (as bindDn, or anonymously), bind as it.
  searchBase?: string;
  searchFilter?: string; // default "(uid={username})"
  bindDn?: string;
  bindPassword?: string;
  startTls?: boolean;
  timeoutMs?: number; // per operation and for the TCP connect; default 5000
  tlsOptions?: ConnectionOptions; // trust comes from the system store (and NODE_EXTRA_CA_CERTS) by default
  // Told when a server fails and the next is tried (a detail without the password, for the log).
  onServerFailed?: (url: string, detail: string) => void;
}

// RFC 4514 §2.4: escape a value placed into a DN.
export function escapeDnValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=\0]/g, (c) => (c === '\0' ? '\\00' : `\\${c}`));
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && !out.endsWith('\\ ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}

// RFC 4515 §3: escape a value placed into a search filter.
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export class LdapFirstFactor implements FirstFactorProvider {
  readonly mode = 'ldap' as const;
  private readonly timeoutMs: number;

  constructor(private readonly options: LdapFirstFactorOptions) {
    if (options.urls.length === 0) throw new FirstFactorError('invalid_config', 'LDAP needs at least one URL');
    for (const url of options.urls) {
      if (!/^ldaps?:\/\//i.test(url)) throw new FirstFactorError('invalid_config', 'LDAP url must be ldap:// or ldaps://');
      if (options.startTls && /^ldaps:/i.test(url)) throw new FirstFactorError('invalid_config', 'StartTLS is for ldap:// URLs; ldaps:// is TLS already');
    }
    if (!options.bindDnTemplate && !options.searchBase) throw new FirstFactorError('invalid_config', 'LDAP needs bindDnTemplate or searchBase');
    if (options.bindDnTemplate && !options.bindDnTemplate.includes('{username}')) {
      throw new FirstFactorError('invalid_config', 'LDAP bindDnTemplate must contain {username}');
    }
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async verify({ username, password }: FirstFactorInput): Promise<FirstFactorResult> {
    // An empty password is an unauthenticated bind (RFC 4513 §5.1.2), which servers "accept".
    if (password === '' || username === '') return { ok: false, reason: 'invalid_credentials' };
    const failures: string[] = [];
    for (const url of this.options.urls) {
      const outcome = await this.verifyAt(url, username, password);
      if (outcome.ok || outcome.reason !== 'unavailable') return outcome;
      failures.push(`${url} ${outcome.detail}`);
      if (failures.length < this.options.urls.length) this.options.onServerFailed?.(url, outcome.detail);
    }
    const detail = this.options.urls.length === 1 ? failures[0] : `all ${failures.length} LDAP servers failed: ${failures.join('; ')}`;
    return { ok: false, reason: 'unavailable', detail };
  }

  private async verifyAt(url: string, username: string, password: string): Promise<FirstFactorResult> {
    const client = new Client({
      url,
      timeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
      // Only for ldaps://: given to an ldap:// client, ldapts breaks the later StartTLS upgrade.
      ...(/^ldaps:/i.test(url) ? { tlsOptions: this.tlsOptions(url) } : {}),
      strictDN: false,
    });
    let stage = 'connect';
    try {
      if (this.options.startTls) {
        stage = 'starttls';
        await client.startTLS(this.tlsOptions(url));
      }
      let dn: string;
      if (this.options.bindDnTemplate) {
        dn = this.options.bindDnTemplate.split('{username}').join(escapeDnValue(username));
      } else {
        if (this.options.bindDn) {
          stage = 'service_bind';
          await client.bind(this.options.bindDn, this.options.bindPassword ?? '');
        }
        stage = 'search';
        const filter = (this.options.searchFilter ?? '(uid={username})').split('{username}').join(escapeFilterValue(username));
        const { searchEntries } = await client.search(this.options.searchBase!, { scope: 'sub', filter, attributes: ['dn'], sizeLimit: 2 });
        // None, or an ambiguous filter: either way this username does not name one person.
        if (searchEntries.length !== 1) return { ok: false, reason: 'invalid_credentials' };
        dn = searchEntries[0].dn;
      }
      stage = 'bind';
      await client.bind(dn, password);
      return { ok: true };
    } catch (error) {
      if (stage === 'bind' && error instanceof InvalidCredentialsError) return { ok: false, reason: 'invalid_credentials' };
      if (stage === 'search' && error instanceof SizeLimitExceededError) return { ok: false, reason: 'invalid_credentials' }; // ambiguous
      const code = error instanceof ResultCodeError ? error.code : errorCodeOf(error);
      const timedOut = /timeout/i.test((error as Error)?.name ?? '') || /timed? ?out/i.test((error as Error)?.message ?? '');
      // ldapts connects on the first operation: a socket error is the connection's, whatever the stage.
      const failedAt = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? 'connect' : stage;
      return { ok: false, reason: 'unavailable', detail: `ldap ${failedAt} failed${code !== undefined ? ` (${String(code)})` : timedOut ? ' (timed out)' : ''}` };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private tlsOptions(url: string): ConnectionOptions {
    const host = /^ldaps?:\/\/\[?([^\]/:]+)/i.exec(url)?.[1];
    return { ...(host && !/^[\d.]+$/.test(host) && !host.includes(':') ? { servername: host } : {}), ...(this.options.tlsOptions ?? {}) };
  }
}
