import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError } from 'ldapts';
import { errorCodeOf, type DirectoryEntry, type DirectorySourceConfig, type PhoneNumber } from '@twofold/domain';

export class DirectoryFetchError extends Error {
  constructor(readonly code: 'directory_unreachable' | 'directory_bind_failed' | 'directory_search_failed', message: string) { super(message); }
}

// RFC 4515 escaping of a value put into a filter.
const escapeFilter = (v: string) => v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

function first(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null) return undefined;
  const s = Buffer.isBuffer(x) ? x.toString('utf8') : String(x);
  return s.trim() === '' ? undefined : s.trim();
}

const phoneOf = (raw: string): string | null => {
  const v = raw.replace(/[\s().-]/g, '');
  return /^\+[0-9]{6,15}$/.test(v) ? v : null;
};

// The entries of a source, from the first of its URLs that answers. Only a server that cannot be
// reached makes the next URL be tried; a refused bind or a failed search ends the run.
export async function fetchDirectory(config: DirectorySourceConfig, bindPassword: string): Promise<{ entries: DirectoryEntry[]; server: string; skipped: Array<{ dn: string; reason: string }> }> {
  const unreachable: string[] = [];
  for (const url of config.urls) {
    const tlsOptions: ConnectionOptions = { ...(config.caFile ? { ca: [readFileSync(config.caFile)] } : {}) };
    const host = new URL(url).hostname;
    if (host && !/^[\d.]+$/.test(host) && !host.includes(':')) tlsOptions.servername = host;
    const client = new Client({ url, timeout: config.timeoutMs, connectTimeout: config.timeoutMs, ...(/^ldaps:/i.test(url) ? { tlsOptions } : {}) });
    try {
      try {
        if (config.startTls) await client.startTLS(tlsOptions);
        await client.bind(config.bindDn, bindPassword);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) throw new DirectoryFetchError('directory_bind_failed', `${url}: the bind DN or password was refused`);
        if (isConnectionError(err)) { unreachable.push(`${url} (${errorCodeOf(err) ?? (err as Error).message})`); continue; }
        throw new DirectoryFetchError('directory_bind_failed', `${url}: ${(err as Error).message}`);
      }
      return { ...(await search(client, config)), server: url };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  throw new DirectoryFetchError('directory_unreachable', `no directory server answered: ${unreachable.join('; ')}`);
}

function isConnectionError(err: unknown): boolean {
  const code = errorCodeOf(err);
  if (code !== undefined && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(code)) return true;
  const name = (err as Error)?.name ?? '';
  return /Timeout|Connection/i.test(name) || /connect|timeout|closed/i.test((err as Error)?.message ?? '');
}

async function search(client: Client, config: DirectorySourceConfig) {
  const m = config.mapping;
  const attributes = [m.username, m.displayName, m.email, m.language, ...(m.phones ?? [])].filter((a): a is string => Boolean(a));
  // Group members: memberOf (OpenLDAP's overlay, or AD's LDAP_MATCHING_RULE_IN_CHAIN for nested groups
  // when the group DN is written with it) or, without the overlay, the group's own member list.
  const filter = config.filter;
  let members: Set<string> | null = null;
  if (config.groupDn) {
    const group = await client.search(config.groupDn, { scope: 'base', attributes: ['member', 'uniqueMember'] }).catch((err) => {
      throw new DirectoryFetchError('directory_search_failed', `the group ${config.groupDn} cannot be read: ${(err as Error).message}`);
    });
    const entry = group.searchEntries[0];
    if (!entry) throw new DirectoryFetchError('directory_search_failed', `the group ${config.groupDn} does not exist`);
    const list = [entry.member, entry.uniqueMember].flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v])).map((v) => String(v).toLowerCase().replace(/\s*,\s*/g, ','));
    members = new Set(list);
  }
  let result;
  try {
    result = await client.search(config.baseDn, { scope: 'sub', filter, attributes, paged: { pageSize: 500 } });
  } catch (err) {
    throw new DirectoryFetchError('directory_search_failed', `search under ${config.baseDn} failed: ${(err as Error).message}`);
  }
  const entries: DirectoryEntry[] = [];
  const skipped: Array<{ dn: string; reason: string }> = [];
  for (const e of result.searchEntries) {
    if (members && !members.has(e.dn.toLowerCase().replace(/\s*,\s*/g, ','))) continue;
    const username = first(e[m.username])?.toLowerCase();
    if (!username || !/^[a-z0-9._@-]{1,64}$/.test(username)) { skipped.push({ dn: e.dn, reason: `no usable ${m.username}` }); continue; }
    const entry: DirectoryEntry = { username };
    if (m.displayName) entry.displayName = (first(e[m.displayName]) ?? username).slice(0, 128);
    if (m.email) entry.email = first(e[m.email])?.toLowerCase() ?? null;
    if (m.language) { const l = first(e[m.language]); if (l && /^[a-z]{2,3}(-[A-Za-z]{2})?$/i.test(l)) entry.language = l.length > 2 ? `${l.slice(0, 2).toLowerCase()}-${l.slice(3).toUpperCase()}` : l.toLowerCase(); }
    if (m.phones) {
      const phones: PhoneNumber[] = [];
      for (const attr of m.phones) {
        const raw = first(e[attr]);
        const number = raw ? phoneOf(raw) : null;
        if (number && phones.length < 5) phones.push({ label: attr === 'mobile' ? 'mobile' : attr.slice(0, 32), number });
      }
      entry.phones = phones;
    }
    entries.push(entry);
  }
  return { entries, skipped };
}

export { escapeFilter };
