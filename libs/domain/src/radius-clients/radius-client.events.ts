import { DomainEvent, SealedSecret } from '../events/event';

export type FirstFactorMode = 'none' | 'local-password' | 'ldap' | 'radius-proxy';

// ---- RADIUS clients ----
// The LDAP first factor (schema v2 of RadiusClientAdded/Updated; v1 had one `url`, read as urls: [url]).
export interface RadiusClientLdap {
  urls: string[]; // tried in order; an unreachable or hanging server hands over to the next
  timeoutMs?: number; // connect and per operation, per server (absent: 5000)
  caFile?: string; // PEM file (on every node) trusted for ldaps:// and StartTLS, beside the system store
  bindDnTemplate?: string; searchBase?: string; searchFilter?: string; bindDn?: string; bindPassword?: SealedSecret; startTls?: boolean;
}
export interface RadiusClientConfig {
  name: string;
  address: string; // exact IPv4/IPv6 address or CIDR
  firstFactor: FirstFactorMode;
  requireMessageAuthenticator: boolean;
  ldap?: RadiusClientLdap;
  upstream?: { host: string; port: number; secret: SealedSecret; timeoutMs: number };
}
export type RadiusClientAdded = DomainEvent<'RadiusClientAdded', { clientId: string; secret: SealedSecret } & RadiusClientConfig>;
export type RadiusClientUpdated = DomainEvent<'RadiusClientUpdated', { clientId: string; changes: Partial<RadiusClientConfig>; secret?: SealedSecret }>;
export type RadiusClientRemoved = DomainEvent<'RadiusClientRemoved', { clientId: string }>;

export type RadiusClientEvent = RadiusClientAdded | RadiusClientUpdated | RadiusClientRemoved;
