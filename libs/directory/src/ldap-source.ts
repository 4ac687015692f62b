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

// AD's LDAP_MATCHING_RULE_IN_CHAIN: the server itself resolves nested groups (AD only).
export const IN_CHAIN_RULE = '1.2.840.113556.1.4.1941';
const AD_CAPABILITY = '1.2.840.113556.1.4.800'; // LDAP_CAP_ACTIVE_DIRECTORY_OID in the root DSE

// The user filter restricted to members of groupDn, direct or through nested groups, as AD reads it.
export function inChainFilter(filter: string, groupDn: string): string {
  return `(&${filter}(memberOf:${IN_CHAIN_RULE}:=${escapeFilter(groupDn)}))`;
}

const normalDn = (dn: string) => dn.toLowerCase().replace(/\s*,\s*/g, ',');
const valuesOf = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)));

async function isActiveDirectory(client: Client): Promise<boolean> {
  const { searchEntries } = await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['supportedCapabilities'] }).catch(() => ({ searchEntries: [] as Array<Record<string, unknown>> }));
  return valuesOf(searchEntries[0]?.supportedCapabilities).includes(AD_CAPABILITY);
}

async function groupMembers(client: Client, groupDn: string): Promise<string[] | null> {
  const group = await client.search(groupDn, { scope: 'base', attributes: ['member', 'uniqueMember'] }).catch((err) => {
    if ((err as { code?: number }).code === 32) return { searchEntries: [] }; // noSuchObject
    throw new DirectoryFetchError('directory_search_failed', `the group ${groupDn} cannot be read: ${(err as Error).message}`);
  });
  const entry = group.searchEntries[0];
  return entry ? [...valuesOf(entry.member), ...valuesOf(entry.uniqueMember)] : null;
}

const MAX_GROUPS = 10_000;

// Nested groups on any LDAP server: from groupDn, follow member values that are not users of the
// search (those are read as groups; a DN that is neither, e.g. a user the filter leaves out, is
// read once and ignored). Each DN is read once, so a cycle (A in B in A) ends; more than
// MAX_GROUPS groups fail the run rather than walk on without end.
export async function walkGroupMembers(readMembers: (dn: string) => Promise<string[] | null>, groupDn: string, userDns: Set<string>): Promise<Set<string>> {
  const members = new Set<string>();
  const visited = new Set<string>([normalDn(groupDn)]);
  const queue = [groupDn];
  let groups = 0;
  while (queue.length > 0) {
    const dn = queue.shift()!;
    const list = await readMembers(dn);
    if (list === null) {
      if (dn === groupDn) throw new DirectoryFetchError('directory_search_failed', `the group ${groupDn} does not exist`);
      continue;
    }
    if (++groups > MAX_GROUPS) throw new DirectoryFetchError('directory_search_failed', `more than ${MAX_GROUPS} nested groups under ${groupDn}`);
    for (const raw of list) {
      const member = normalDn(raw);
      if (userDns.has(member)) { members.add(member); continue; }
      if (visited.has(member)) continue;
      visited.add(member);
      queue.push(raw);
    }
  }
  return members;
}

async function search(client: Client, config: DirectorySourceConfig) {
  const m = config.mapping;
  const attributes = [m.username, m.displayName, m.email, m.language, ...(m.phones ?? [])].filter((a): a is string => Boolean(a));
  // Group members: AD resolves nested groups itself (in-chain); otherwise the group's member list,
  // followed into nested groups when asked ('walk'; 'auto' walks when the server is not AD).
  const nested = config.nestedGroups ?? 'off';
  let inChain = false;
  if (config.groupDn && (nested === 'in-chain' || nested === 'auto')) {
    inChain = await isActiveDirectory(client);
    // Another server answers the in-chain filter with no entries at all (slapd does): a run that
    // would disable everyone. Refused, with what to do instead.
    if (nested === 'in-chain' && !inChain) {
      throw new DirectoryFetchError('directory_search_failed', 'this server is not Active Directory (its root DSE does not list LDAP_CAP_ACTIVE_DIRECTORY_OID), so it cannot resolve memberOf:1.2.840.113556.1.4.1941:; use --nested-groups walk (or auto)');
    }
  }
  const filter = inChain ? inChainFilter(config.filter, config.groupDn!) : config.filter;
  let result;
  try {
    result = await client.search(config.baseDn, { scope: 'sub', filter, attributes, paged: { pageSize: 500 } });
  } catch (err) {
    throw new DirectoryFetchError('directory_search_failed', `search under ${config.baseDn} failed: ${(err as Error).message}`);
  }
  let members: Set<string> | null = null;
  if (config.groupDn && !inChain) {
    const readMembers = (dn: string) => groupMembers(client, dn);
    if (nested === 'off') {
      const list = await readMembers(config.groupDn);
      if (list === null) throw new DirectoryFetchError('directory_search_failed', `the group ${config.groupDn} does not exist`);
      members = new Set(list.map(normalDn));
    } else {
      members = await walkGroupMembers(readMembers, config.groupDn, new Set(result.searchEntries.map((e) => normalDn(e.dn))));
    }
  }
  const entries: DirectoryEntry[] = [];
  const skipped: Array<{ dn: string; reason: string }> = [];
  for (const e of result.searchEntries) {
    if (members && !members.has(normalDn(e.dn))) continue;
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
