import type { DomainEvent, SealedSecret } from '../events/event';
import type { OathAlgorithm, OathKind } from '../users/user.events';

export interface ImportedTokenParameters { kind: OathKind; algorithm: OathAlgorithm; digits: number; period: number; counter: number }

// Stream `token-pool`. An imported hardware token's serial, once per cluster. Given to a user in the
// same append (userId/tokenId set, the user stream gets OathTokenAssigned, seed null here), or kept
// in the pool (userId null, seed sealed with SealContext.poolSeed(serial)).
export type PoolTokenImported = DomainEvent<'PoolTokenImported', ImportedTokenParameters & {
  serial: string; userId: string | null; tokenId: string | null; seed: SealedSecret | null; format: 'pskc' | 'csv';
}>;
// A pooled token given to a user (the user stream gets OathTokenAssigned in the same append).
export type PoolTokenAssigned = DomainEvent<'PoolTokenAssigned', { serial: string; userId: string; tokenId: string }>;

export type TokenPoolEvent = PoolTokenImported | PoolTokenAssigned;

export const TOKEN_POOL_SCHEMA_VERSIONS = { PoolTokenImported: 1, PoolTokenAssigned: 1 } as const;
