import type { ConnectionOptions } from 'node:tls';
import { errorCodeOf } from '@twofold/domain';
import { Client, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import { FirstFactorError, FirstFactorInput, FirstFactorProvider, FirstFactorResult } from './first-factor';

export interface LdapFirstFactorOptions {
  url: string; // ldap:// (optionally with startTls) or ldaps://
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
    if (!/^ldaps?:\/\//i.test(options.url)) throw new FirstFactorError('invalid_config', 'LDAP url must be ldap:// or ldaps://');
    if (!options.bindDnTemplate && !options.searchBase) throw new FirstFactorError('invalid_config', 'LDAP needs bindDnTemplate or searchBase');
    if (options.bindDnTemplate && !options.bindDnTemplate.includes('{username}')) {
      throw new FirstFactorError('invalid_config', 'LDAP bindDnTemplate must contain {username}');
    }
    if (options.startTls && /^ldaps:/i.test(options.url)) throw new FirstFactorError('invalid_config', 'StartTLS is for ldap:// URLs; ldaps:// is TLS already');
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  async verify({ username, password }: FirstFactorInput): Promise<FirstFactorResult> {
    // An empty password is an unauthenticated bind (RFC 4513 §5.1.2), which servers "accept".
    if (password === '' || username === '') return { ok: false, reason: 'invalid_credentials' };
    const client = new Client({
      url: this.options.url,
      timeout: this.timeoutMs,
      connectTimeout: this.timeoutMs,
      // Only for ldaps://: given to an ldap:// client, ldapts breaks the later StartTLS upgrade.
      ...(/^ldaps:/i.test(this.options.url) ? { tlsOptions: this.tlsOptions() } : {}),
      strictDN: false,
    });
    let stage = 'connect';
    try {
      if (this.options.startTls) {
        stage = 'starttls';
        await client.startTLS(this.tlsOptions());
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
      return { ok: false, reason: 'unavailable', detail: `ldap ${stage} failed${code !== undefined ? ` (${String(code)})` : ''}` };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private tlsOptions(): ConnectionOptions {
    const host = /^ldaps?:\/\/\[?([^\]/:]+)/i.exec(this.options.url)?.[1];
    return { ...(host && !/^[\d.]+$/.test(host) && !host.includes(':') ? { servername: host } : {}), ...(this.options.tlsOptions ?? {}) };
  }
}
