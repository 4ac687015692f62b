import { DomainEvent, SealedSecret } from '../events/event';

export type FirstFactorMode = 'none' | 'local-password' | 'ldap' | 'radius-proxy';

// ---- RADIUS clients ----
export interface RadiusClientConfig {
  name: string;
  address: string; // exact IPv4/IPv6 address or CIDR
  firstFactor: FirstFactorMode;
  requireMessageAuthenticator: boolean;
  ldap?: { url: string; bindDnTemplate?: string; searchBase?: string; searchFilter?: string; bindDn?: string; bindPassword?: SealedSecret; startTls?: boolean };
  upstream?: { host: string; port: number; secret: SealedSecret; timeoutMs: number };
}
export type RadiusClientAdded = DomainEvent<'RadiusClientAdded', { clientId: string; secret: SealedSecret } & RadiusClientConfig>;
export type RadiusClientUpdated = DomainEvent<'RadiusClientUpdated', { clientId: string; changes: Partial<RadiusClientConfig>; secret?: SealedSecret }>;
export type RadiusClientRemoved = DomainEvent<'RadiusClientRemoved', { clientId: string }>;

export type RadiusClientEvent = RadiusClientAdded | RadiusClientUpdated | RadiusClientRemoved;
