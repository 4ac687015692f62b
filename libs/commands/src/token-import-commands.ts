import {
  decideAssignPoolToken, decideImportTokens, DomainError, DomainErrorCode, DomainEvent, foldTokenPool, foldUser, hasErrorCode, ImportAccepted, ImportRefusal,
  newId, normalizeUsername, parseSerial, SecretSealer, Streams, toRecord, UserState,
} from '@twofold/domain';
import type { ReadModelQueries, UserView } from '@twofold/read-model';
import { Actor } from './actor';
import { CommandError } from './command-error';
import { objectBody } from './input';
import type { ExecutorDeps } from './stream-executor';

export interface ImportReport { dryRun: boolean; accepted: ImportAccepted[]; refused: ImportRefusal[]; pooled: number; assigned: number }

// One import is one append and one request body (1 MiB by default holds about 5000 tokens).
export const MAX_TOKENS_PER_IMPORT = 5000;
const ATTEMPTS = 3;

// Hardware token import and the unassigned pool. Every import is one append over the pool stream and
// the users it names (all of it or nothing), so a crash never leaves half a file imported.
export class TokenImportCommands {
  constructor(
    private readonly deps: ExecutorDeps & { sealer: SecretSealer },
    private readonly queries: ReadModelQueries,
    private readonly userById: (userId: string) => Promise<UserView>,
  ) {}

  // body: { format: 'pskc' | 'csv', tokens: [{ serial, seed (base32), kind, algorithm, digits, period?, counter?, username? }] }
  async importTokens(body: unknown, actor: Actor, dryRun: boolean): Promise<ImportReport> {
    const input = objectBody(body);
    const tokens = input.tokens;
    if (!Array.isArray(tokens) || tokens.length === 0) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'tokens', 'tokens: must be a non-empty list');
    if (tokens.length > MAX_TOKENS_PER_IMPORT) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'tokens', `tokens: at most ${MAX_TOKENS_PER_IMPORT} per import`);
    const format = input.format === 'pskc' ? 'pskc' : 'csv';
    if (!dryRun) this.deps.assertWritable?.();
    for (let attempt = 1; ; attempt++) {
      const { base, decision } = await this.decide(tokens, format);
      const report = { dryRun, accepted: decision.accepted, refused: decision.refused, pooled: decision.accepted.filter((a) => !a.username).length, assigned: decision.accepted.filter((a) => a.username).length };
      if (dryRun || decision.appends.length === 0) return report;
      try {
        await this.append(decision.appends.map((a) => ({ ...a, expectedVersion: base.get(a.streamId) ?? 0 })), actor);
        return report;
      } catch (err) {
        if (hasErrorCode(err, 'version_conflict') && attempt < ATTEMPTS) continue;
        if (hasErrorCode(err, 'version_conflict')) throw new CommandError('version_conflict', 'tokens or users are being changed by someone else; retry');
        throw err;
      }
    }
  }

  async assignFromPool(userId: string, body: unknown, actor: Actor): Promise<{ serial: string; tokenId: string; user: UserView }> {
    const serial = parseSerial(objectBody(body).serial);
    await this.userById(userId);
    this.deps.assertWritable?.();
    for (let attempt = 1; ; attempt++) {
      const poolRecords = await this.deps.store.readStream(Streams.tokenPool());
      const userRecords = await this.deps.store.readStream(Streams.user(userId));
      const pool = foldTokenPool(poolRecords);
      const user = foldUser(userRecords);
      const tokenId = newId();
      const events = decideAssignPoolToken(pool, user, serial, { sealer: this.deps.sealer, tokenId });
      try {
        await this.append([
          { streamId: Streams.tokenPool(), expectedVersion: pool.version, events: events.pool },
          { streamId: Streams.user(userId), expectedVersion: user.version, events: events.user },
        ], actor);
        return { serial, tokenId, user: await this.userById(userId) };
      } catch (err) {
        if (hasErrorCode(err, 'version_conflict') && attempt < ATTEMPTS) continue;
        throw err;
      }
    }
  }

  // The pool as an administrator sees it: serials and parameters, never a seed.
  async listPool(): Promise<Array<{ serial: string; kind: string; algorithm: string; digits: number; assignedTo: string | null }>> {
    const pool = foldTokenPool(await this.deps.store.readStream(Streams.tokenPool()));
    return Object.values(pool.serials).map((e) => ({ serial: e.serial, kind: e.kind, algorithm: e.algorithm, digits: e.digits, assignedTo: e.userId }));
  }

  private async decide(tokens: unknown[], format: 'pskc' | 'csv') {
    const poolRecords = await this.deps.store.readStream(Streams.tokenPool());
    const base = new Map<string, number>([[Streams.tokenPool(), poolRecords.length ? poolRecords[poolRecords.length - 1].streamVersion : 0]]);
    const users = new Map<string, { userId: string; state: UserState }>();
    for (const t of tokens) {
      const raw = (t as { username?: unknown })?.username;
      if (typeof raw !== 'string' || raw.trim() === '') continue;
      const username = normalizeUsername(raw);
      if (users.has(username)) continue;
      const view = await this.queries.findUserByUsername(username);
      if (!view) continue;
      const state = foldUser(await this.deps.store.readStream(Streams.user(view.userId)));
      users.set(username, { userId: view.userId, state });
      base.set(Streams.user(view.userId), state.version);
    }
    const decision = decideImportTokens(foldTokenPool(poolRecords), tokens, { users, sealer: this.deps.sealer, format });
    return { base, decision };
  }

  private async append(appends: Array<{ streamId: string; expectedVersion: number; events: DomainEvent[] }>, actor: Actor): Promise<void> {
    const metadata = { actor: actor.actor, nodeId: this.deps.nodeId, epoch: this.deps.epoch?.() ?? 0, ...(actor.correlationId ? { correlationId: actor.correlationId } : {}) };
    const stored = await this.deps.store.appendMany(appends.map((a) => ({ streamId: a.streamId, expectedVersion: a.expectedVersion, events: a.events.map((e) => ({ ...toRecord(e), metadata })) })));
    const position = stored[stored.length - 1].position;
    this.deps.onAppended?.(stored.length);
    await this.deps.afterAppend?.(position);
    await this.deps.projector.waitFor(position);
  }
}
