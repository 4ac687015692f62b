import { columns } from '../core/output';

// Shapes the admin API returns (what the CLI reads of them).
export interface UserView {
  userId: string; username: string; displayName: string; email: string | null;
  phones: Array<{ label: string; number: string }>; preferredMethod: string; language: string;
  enabled: boolean; hasPin: boolean; hasPassword: boolean; locked: boolean; lockedUntil: string | null;
  blocked: boolean; blockedUntil: string | null; version: number; createdAt: string; updatedAt: string;
  bypass?: { until: string; once: boolean; reason: string; grantedBy: string; at: string; uses: number; active: boolean; revokedAt?: string | null; revokedBy?: string | null } | null;
}
export interface Page<T> { items: T[]; total: number; offset: number; limit: number }
export interface TokenView { tokenId: string; kind: string; algorithm: string; digits: number; period: number; counter: number; label: string; createdAt: string }
export interface RadiusClientView {
  clientId: string; name: string; address: string; firstFactor: string; requireMessageAuthenticator: boolean;
  ldap: Record<string, unknown> | null; upstream: Record<string, unknown> | null; version: number; createdAt: string; updatedAt: string;
  unenrolled?: string;
}
export interface SdkCredentialView { credentialId: string; name: string; scopes: string[]; certificateFingerprint: string | null; revoked: boolean; version: number; issuedAt: string }
export interface AdministratorView { adminId: string; name: string; addedAt: string }
export interface ClusterNodeView {
  nodeId: string; nodeName: string; host: string; httpPort: number; replicationPort: number; joinedAt: string; master: boolean;
  certificateFingerprint: string | null; certificateRecordedAt: string | null; certificateReason: string | null; removed: boolean; removedAt: string | null;
}

export function userStatus(u: UserView): string {
  const flags = [u.enabled ? 'enabled' : 'disabled'];
  if (u.locked) flags.push(u.lockedUntil ? `locked until ${u.lockedUntil}` : 'locked');
  if (u.blocked) flags.push(u.blockedUntil ? `blocked until ${u.blockedUntil}` : 'blocked');
  return flags.join(', ');
}

export const USER_COLUMNS = columns<UserView>({
  username: 'username', 'display name': 'displayName', email: 'email', method: 'preferredMethod', status: userStatus, pin: 'hasPin', id: 'userId',
});

export function userRecord(u: UserView): Array<[string, unknown]> {
  return [
    ['username', u.username], ['id', u.userId], ['display name', u.displayName], ['email', u.email],
    ['phones', u.phones.map((p) => `${p.number} (${p.label})`)], ['preferred method', u.preferredMethod], ['language', u.language],
    ['status', userStatus(u)], ['PIN set', u.hasPin], ['password set', u.hasPassword], ['version', u.version],
    ['created', u.createdAt], ['updated', u.updatedAt], ...bypassLine(u),
  ];
}

function bypassLine(u: UserView): Array<[string, unknown]> {
  const b = u.bypass;
  if (!b) return [];
  const state = b.revokedAt ? `revoked by ${b.revokedBy} at ${b.revokedAt}` : b.active ? `active until ${b.until}` : b.once && b.uses > 0 ? `used (${b.until})` : `expired ${b.until}`;
  return [['bypass', `${state}${b.once ? ', once' : ''}; granted by ${b.grantedBy} at ${b.at}: ${b.reason}`]];
}

export const TOKEN_COLUMNS = columns<TokenView>({
  'token id': 'tokenId', kind: 'kind', algorithm: 'algorithm', digits: 'digits',
  period: (t) => (t.kind === 'totp' ? `${t.period}s` : '-'), label: 'label', created: 'createdAt',
});

export const RADIUS_CLIENT_COLUMNS = columns<RadiusClientView>({
  name: 'name', address: 'address', 'first factor': 'firstFactor',
  'message-authenticator': (c) => (c.requireMessageAuthenticator ? 'required' : 'optional'), id: 'clientId',
});

export function radiusClientRecord(c: RadiusClientView): Array<[string, unknown]> {
  return [
    ['name', c.name], ['id', c.clientId], ['address', c.address], ['first factor', c.firstFactor],
    ['message-authenticator', c.requireMessageAuthenticator ? 'required' : 'optional'], ['users not enrolled', c.unenrolled ?? 'reject'],
    ['ldap', c.ldap], ['upstream', c.upstream], ['version', c.version], ['created', c.createdAt], ['updated', c.updatedAt],
  ];
}

export const SDK_CREDENTIAL_COLUMNS = columns<SdkCredentialView>({
  name: 'name', scopes: 'scopes', state: (c) => (c.revoked ? 'revoked' : 'active'), issued: 'issuedAt', id: 'credentialId',
});

export const ADMIN_COLUMNS = columns<AdministratorView>({ name: 'name', added: 'addedAt', id: 'adminId' });

export const CLUSTER_NODE_COLUMNS = columns<ClusterNodeView>({
  name: 'nodeName',
  address: (n) => `${n.host}:${n.httpPort}`,
  state: (n) => (n.removed ? 'removed' : n.master ? 'master' : 'member'),
  'certificate (sha256)': (n) => n.certificateFingerprint?.slice(0, 16) ?? '(none recorded)',
  id: 'nodeId',
});
