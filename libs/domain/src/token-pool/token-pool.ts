import { z } from 'zod';
import { parseInput } from '../commands/command';
import { base32Decode, base32Encode } from '../crypto/base32';
import { SealContext, SecretSealer } from '../crypto/secret-box';
import { DomainError, DomainErrorCode } from '../errors/domain-error';
import type { DomainEvent } from '../events/event';
import { foldWith, makeEvent } from '../events/event-record';
import { evolver } from '../events/narrow-event';
import { newId as generateId } from '../shared/new-id';
import { MAX_OATH_TOKENS, SEED_MAX_BYTES, SEED_MIN_BYTES } from '../users/user.commands';
import type { UserState } from '../users/user.state';
import type { ImportedTokenParameters, PoolTokenImported, TokenPoolEvent } from './token-pool.events';

export interface PoolEntry extends ImportedTokenParameters { serial: string; userId: string | null; tokenId: string | null; seed: PoolTokenImported['data']['seed'] }
export interface TokenPoolState { version: number; serials: Record<string, PoolEntry> }
export const INITIAL_TOKEN_POOL_STATE: TokenPoolState = Object.freeze({ version: 0, serials: {} }) as TokenPoolState;

export const evolveTokenPool = evolver<TokenPoolState, TokenPoolEvent>({
  PoolTokenImported: (s, { format: _f, ...entry }) => ({ ...s, serials: { ...s.serials, [entry.serial]: entry } }),
  PoolTokenAssigned: (s, { serial, userId, tokenId }) => {
    const entry = s.serials[serial];
    // The seed now lives sealed for the user only.
    return entry ? { ...s, serials: { ...s.serials, [serial]: { ...entry, userId, tokenId, seed: null } } } : s;
  },
});

export const foldTokenPool = foldWith(evolveTokenPool, INITIAL_TOKEN_POOL_STATE);

// One token of an import file, as the CLI read it (PSKC or CSV): the seed in base32 (it never
// leaves the CLI in any other form), the username optional.
const SERIAL = /^[A-Za-z0-9._:/-]{1,64}$/;
export const importedTokenSchema = z.strictObject({
  serial: z.string().trim().regex(SERIAL, 'must be 1 to 64 characters from A-Z, a-z, 0-9, ".", "_", ":", "/" and "-"'),
  seed: z.string().min(1, 'is required'),
  kind: z.enum(['totp', 'hotp'], { error: 'must be totp or hotp' }),
  algorithm: z.string().trim().transform((v) => v.toUpperCase().replace(/^SHA-/, 'SHA')),
  digits: z.union([z.literal(6), z.literal(8)], { error: 'must be 6 or 8' }),
  period: z.union([z.literal(30), z.literal(60)], { error: 'must be 30 or 60' }).default(30),
  counter: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  username: z.string().trim().toLowerCase().min(1).max(64).optional(),
});
export type ImportedToken = z.output<typeof importedTokenSchema>;

export type ImportRefusalReason = 'invalid' | 'unknown_algorithm' | 'duplicate_serial' | 'unknown_user' | 'token_limit';
export interface ImportRefusal { index: number; serial: string | null; reason: ImportRefusalReason; detail: string }
export interface ImportAccepted { index: number; serial: string; username: string | null; kind: string }

export interface ImportDecision {
  accepted: ImportAccepted[];
  refused: ImportRefusal[];
  // Per stream, in order: the pool first, then each user (one atomic append for all).
  appends: Array<{ streamId: string; events: DomainEvent[] }>;
}

const ALGORITHMS = new Set(['SHA1', 'SHA256', 'SHA512']);

// users: the users the file names, by normalised username, with their folded state (absent: unknown).
export function decideImportTokens(
  pool: TokenPoolState, raw: unknown[], ctx: { users: Map<string, { userId: string; state: UserState }>; sealer: SecretSealer; format: 'pskc' | 'csv'; newId?: () => string },
): ImportDecision {
  const newId = ctx.newId ?? generateId;
  const accepted: ImportAccepted[] = [];
  const refused: ImportRefusal[] = [];
  const poolEvents: DomainEvent[] = [];
  const userEvents = new Map<string, DomainEvent[]>();
  const seen = new Set<string>();
  const added = new Map<string, number>();
  raw.forEach((input, index) => {
    const serialOf = (input as { serial?: unknown })?.serial;
    const refuse = (reason: ImportRefusalReason, detail: string) => refused.push({ index, serial: typeof serialOf === 'string' ? serialOf.slice(0, 64) : null, reason, detail });
    let t: ImportedToken;
    try {
      t = parseInput(importedTokenSchema, input);
    } catch (err) {
      return refuse('invalid', (err as Error).message);
    }
    if (!ALGORITHMS.has(t.algorithm)) return refuse('unknown_algorithm', `algorithm ${t.algorithm.slice(0, 32)} is not SHA1, SHA256 or SHA512`);
    let seed: Buffer;
    try {
      seed = base32Decode(t.seed);
    } catch {
      return refuse('invalid', 'seed: must be base32');
    }
    if (seed.length < SEED_MIN_BYTES || seed.length > SEED_MAX_BYTES) return refuse('invalid', `seed: must be ${SEED_MIN_BYTES} to ${SEED_MAX_BYTES} bytes`);
    if (pool.serials[t.serial] || seen.has(t.serial)) return refuse('duplicate_serial', `serial ${t.serial} is already ${seen.has(t.serial) ? 'earlier in this file' : 'imported'}`);
    const params = { kind: t.kind, algorithm: t.algorithm as ImportedTokenParameters['algorithm'], digits: t.digits, period: t.kind === 'totp' ? t.period : 30, counter: t.kind === 'hotp' ? t.counter : 0 };
    const seedText = base32Encode(seed);
    if (t.username !== undefined) {
      const user = ctx.users.get(t.username);
      if (!user || !user.state.exists || user.state.deleted) return refuse('unknown_user', `no user "${t.username}"`);
      const count = user.state.tokens.length + (added.get(user.userId) ?? 0);
      if (count >= MAX_OATH_TOKENS) return refuse('token_limit', `${t.username} already has ${MAX_OATH_TOKENS} tokens`);
      const tokenId = newId();
      const events = userEvents.get(user.userId) ?? [];
      events.push(makeEvent('OathTokenAssigned', { userId: user.userId, tokenId, ...params, seed: ctx.sealer.seal(seedText, SealContext.oathSeed(user.userId, tokenId)), label: t.serial }));
      userEvents.set(user.userId, events);
      added.set(user.userId, (added.get(user.userId) ?? 0) + 1);
      poolEvents.push(makeEvent('PoolTokenImported', { serial: t.serial, ...params, userId: user.userId, tokenId, seed: null, format: ctx.format }));
    } else {
      poolEvents.push(makeEvent('PoolTokenImported', { serial: t.serial, ...params, userId: null, tokenId: null, seed: ctx.sealer.seal(seedText, SealContext.poolSeed(t.serial)), format: ctx.format }));
    }
    seen.add(t.serial);
    accepted.push({ index, serial: t.serial, username: t.username ?? null, kind: t.kind });
  });
  const appends = poolEvents.length ? [{ streamId: 'token-pool', events: poolEvents }, ...[...userEvents].map(([userId, events]) => ({ streamId: `user-${userId}`, events }))] : [];
  return { accepted, refused, appends };
}

// A pooled token given to a user: the pool records it, the user gets the token (seed re-sealed for them).
export function decideAssignPoolToken(
  pool: TokenPoolState, user: UserState, serial: string, ctx: { sealer: SecretSealer; tokenId: string },
): { pool: DomainEvent[]; user: DomainEvent[] } {
  const entry = pool.serials[serial];
  if (!entry) throw DomainError.rule(DomainErrorCode.UnknownToken, 'serial', `No imported token with serial "${serial.slice(0, 64)}".`);
  if (entry.userId !== null || !entry.seed) throw DomainError.rule(DomainErrorCode.DuplicateToken, 'serial', `The token with serial "${serial.slice(0, 64)}" is already assigned.`);
  if (!user.exists || user.deleted || !user.userId) throw DomainError.rule(DomainErrorCode.UnknownUser, 'user', 'No such user.');
  if (user.tokens.length >= MAX_OATH_TOKENS) throw DomainError.rule(DomainErrorCode.TokenLimit, 'serial', `A user may have at most ${MAX_OATH_TOKENS} OATH tokens.`);
  const seedText = ctx.sealer.open(entry.seed, SealContext.poolSeed(serial));
  const { kind, algorithm, digits, period, counter } = entry;
  return {
    pool: [makeEvent('PoolTokenAssigned', { serial, userId: user.userId, tokenId: ctx.tokenId })],
    user: [makeEvent('OathTokenAssigned', {
      userId: user.userId, tokenId: ctx.tokenId, kind, algorithm, digits, period, counter, seed: ctx.sealer.seal(seedText, SealContext.oathSeed(user.userId, ctx.tokenId)), label: serial,
    })],
  };
}

export function parseSerial(raw: unknown): string {
  if (typeof raw !== 'string' || !SERIAL.test(raw.trim())) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'serial', 'serial: must be 1 to 64 characters from A-Z, a-z, 0-9, ".", "_", ":", "/" and "-"');
  return raw.trim();
}
