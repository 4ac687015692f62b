import { InvitationCommands } from './invitation-commands';
import {
  AssignOathToken, BlockUserForFraud, ClearPin, CreateUser, decideAssignOathToken, decideBlockUserForFraud, decideClearPin,
  decideCreateUser, decideDeleteUser, decideDisableUser, decideEnableUser, decideRemoveOathToken, decideSetPassword, decideSetPin,
  decideUnblockUser, decideUnlockUser, decideUpdateSettings, decideUpdateUser, DeleteUser, DisableUser, DomainError, DomainErrorCode,
  EnableUser, foldSettings, foldUser, RemoveOathToken, SecretHasher, SecretSealer, SetPassword, SetPin, Streams, UnblockUser,
  UnlockUser, UpdateSettings, UpdateUser, UserState, base32Encode, base32Decode, SealContext, openUserContact,
} from '@twofold/domain';
import type { OathTokenView, ReadModelQueries, UserView } from '@twofold/read-model';
import { buildOtpauthUri, QrFormat, renderQr } from '@twofold/mfa';
import { Actor } from './actor';
import { AsyncLock } from './async-lock';
import { ExecutorDeps, StreamExecutor } from './stream-executor';
import { objectBody, parsePaging, unnestErrors } from './input';
import { RadiusClientCommands } from './radius-client-commands';
import { AccessCommands } from './access-commands';
import { SecurityEvents } from './security-events';
import { ClusterCommands } from './cluster-commands';
import { ApprovalCommands } from './approval-commands';
import { RolloutCommands } from './rollout-commands';
import { TokenImportCommands } from './token-import-commands';
import { DirectoryCommands } from './directory-commands';
import { DeviceCommands } from './device-commands';

export interface CommandServiceDeps extends ExecutorDeps {
  queries: ReadModelQueries;
  sealer: SecretSealer;
  hasher: SecretHasher;
  clock?: () => Date;
  issuer?: string;
}

export type UserStatusAction = 'enable' | 'disable' | 'unlock' | 'block' | 'unblock';
export type PublicToken = Omit<OathTokenView, 'seed'>;
export interface AssignedToken { token: PublicToken | undefined; otpauthUri: string; qrSvg?: string; qrPngBase64?: string }

// `?qr=png|svg` on a token assignment: which QR rendering the caller wants besides the URI.
export function parseQrFormat(raw: unknown): QrFormat[] {
  if (raw === undefined || raw === '') return [];
  if (raw === 'png' || raw === 'svg') return [raw];
  throw DomainError.rule(DomainErrorCode.ValidationFailed, 'qr', 'qr must be png or svg.');
}

// The write side: every administrator and self-service change goes through here, as events.
export class CommandService {
  protected readonly executor: StreamExecutor;
  // Username uniqueness spans streams: creations are serialized on this (single-writer) master.
  private readonly usernames = new AsyncLock();

  readonly radiusClients: RadiusClientCommands;
  readonly access: AccessCommands;
  readonly security: SecurityEvents;
  readonly cluster: ClusterCommands;
  readonly approvals: ApprovalCommands;
  readonly invitations: InvitationCommands;
  readonly rollout: RolloutCommands;
  readonly tokenImport: TokenImportCommands;
  readonly directories: DirectoryCommands;
  readonly devices: DeviceCommands;

  constructor(protected readonly deps: CommandServiceDeps) {
    this.executor = new StreamExecutor(deps);
    this.radiusClients = new RadiusClientCommands(this.executor, deps.queries, deps.sealer);
    this.access = new AccessCommands(this.executor, deps.queries);
    // Sign-in security records are durable here and replicated as soon as possible: they never
    // wait for synchronous replication (a sign-in must not fail for lack of a slave).
    const signIns = new StreamExecutor({ ...deps, afterAppend: undefined });
    this.security = new SecurityEvents(signIns, deps.queries, () => this.now(), { ...deps, states: signIns.states });
    this.cluster = new ClusterCommands(deps, () => this.now());
    this.approvals = new ApprovalCommands(this.executor, deps.store, this.security, () => this.now());
    this.invitations = new InvitationCommands(this.executor, () => this.now());
    this.directories = new DirectoryCommands(this.executor, deps.store, deps.sealer, () => this.now());
    this.devices = new DeviceCommands(this.executor, deps.queries, () => this.now());
    this.tokenImport = new TokenImportCommands(deps, deps.queries, (userId) => this.userById(userId));
    this.rollout = new RolloutCommands(this.executor, deps.queries, (userId) => this.userById(userId), () => this.now());
  }

  protected now(): Date {
    return this.deps.clock?.() ?? new Date();
  }

  protected get queries(): ReadModelQueries {
    return this.deps.queries;
  }

  // A user by id: the caller holds one (a read-model row, a session, a directory link).
  async userById(userId: string): Promise<UserView> {
    const user = await this.queries.getUser(userId);
    if (!user) throw DomainError.rule(DomainErrorCode.UnknownUser, 'user', `No user "${userId.slice(0, 64)}".`);
    return user;
  }

  // An administrator's path segment names a user by id or by username. A username may look like
  // an id: a segment that is one user's id and another user's username is refused, never guessed.
  async userByIdOrUsername(ref: string): Promise<UserView> {
    const byId = await this.queries.getUser(ref);
    const byUsername = await this.queries.findUserByUsername(ref);
    if (byId && byUsername && byId.userId !== byUsername.userId) {
      throw DomainError.rule(DomainErrorCode.ValidationFailed, 'user', `"${ref.slice(0, 64)}" is the id of one user and the username of another; name the user by id.`);
    }
    const user = byId ?? byUsername;
    if (!user) throw DomainError.rule(DomainErrorCode.UnknownUser, 'user', `No user "${ref.slice(0, 64)}".`);
    return user;
  }

  // The write side holds the cluster key: it decides on the user with e-mail and phones opened
  // (only for the decision: the state kept between commands holds them sealed).
  private async onUser(userId: string, decide: (state: UserState) => ReturnType<typeof decideEnableUser> | Promise<ReturnType<typeof decideEnableUser>>, actor: Actor): Promise<UserView> {
    await this.userById(userId);
    await this.executor.execute(Streams.user(userId), foldUser, (s) => decide(openUserContact(s, this.deps.sealer)), actor);
    return this.userById(userId);
  }

  // ---- users ----

  async createUser(body: unknown, actor: Actor): Promise<UserView> {
    const command = CreateUser.create(objectBody(body));
    const settings = await this.queries.getSettings();
    return this.usernames.run(async () => {
      const usernameTaken = (await this.queries.findUserByUsername(command.username)) !== null;
      await this.executor.execute(Streams.user(command.userId), foldUser, (s) => decideCreateUser(s, command, { usernameTaken, settings, sealer: this.deps.sealer }), actor);
      return this.userById(command.userId);
    });
  }

  listUsers(query: Record<string, unknown>) {
    return this.queries.listUsers({ ...parsePaging(query), notEnrolled: query.notEnrolled === 'true' || query.notEnrolled === true });
  }

  getUser(userId: string): Promise<UserView> {
    return this.userById(userId);
  }

  async updateUser(userId: string, body: unknown, actor: Actor, expectedVersion?: number): Promise<UserView> {
    await this.userById(userId);
    const input = objectBody(body);
    const command = unnestErrors('changes', () => UpdateUser.create({ userId, changes: input, ...(expectedVersion !== undefined ? { expectedVersion } : {}) }));
    return this.onUser(userId, (s) => decideUpdateUser(s, command, { sealer: this.deps.sealer }), actor);
  }

  async deleteUser(userId: string, actor: Actor, expectedVersion?: number): Promise<void> {
    const user = await this.userById(userId);
    if (expectedVersion !== undefined && expectedVersion !== user.version) {
      throw DomainError.rule(DomainErrorCode.VersionConflict, 'expectedVersion', `The user changed since it was read (expected version ${expectedVersion}, now ${user.version}); reload and retry.`);
    }
    const command = DeleteUser.create({ userId: user.userId });
    await this.executor.execute(Streams.user(user.userId), foldUser, (s) => decideDeleteUser(s, command), actor);
  }

  async setPin(userId: string, body: unknown, actor: Actor): Promise<UserView> {
    await this.userById(userId);
    const settings = await this.queries.getSettings();
    const command = SetPin.create({ ...objectBody(body), userId }, settings.pin);
    const pinHash = await this.deps.hasher.hash(command.pin.reveal());
    return this.onUser(userId, (s) => decideSetPin(s, command, { pinHash, sealer: this.deps.sealer }), actor);
  }

  async clearPin(userId: string, actor: Actor): Promise<UserView> {
    return this.onUser(userId, (s) => decideClearPin(s, ClearPin.create({ userId })), actor);
  }

  async setPassword(userId: string, body: unknown, actor: Actor): Promise<UserView> {
    await this.userById(userId);
    const command = SetPassword.create({ ...objectBody(body), userId });
    const passwordHash = await this.deps.hasher.hash(command.password.reveal());
    return this.onUser(userId, (s) => decideSetPassword(s, command, { passwordHash, sealer: this.deps.sealer }), actor);
  }

  async changeUserStatus(userId: string, action: UserStatusAction, body: unknown, actor: Actor): Promise<UserView> {
    const input = body === undefined || body === null ? {} : objectBody(body);
    const settings = await this.queries.getSettings();
    return this.onUser(userId, (s) => {
      switch (action) {
        case 'enable': return decideEnableUser(s, EnableUser.create({ ...input, userId }));
        case 'disable': return decideDisableUser(s, DisableUser.create({ ...input, userId }));
        case 'unlock': return decideUnlockUser(s, UnlockUser.create({ ...input, userId }));
        case 'block': return decideBlockUserForFraud(s, BlockUserForFraud.create({ ...input, userId }), { now: this.now(), settings });
        case 'unblock': return decideUnblockUser(s, UnblockUser.create({ ...input, userId }));
      }
    }, actor);
  }

  // ---- OATH tokens ----

  async listTokens(userId: string): Promise<PublicToken[]> {
    await this.userById(userId);
    return (await this.queries.getTokens(userId)).map(({ seed: _seed, ...rest }) => rest);
  }

  // The seed leaves the server once, here, as an otpauth:// URI (and a QR code only when asked:
  // rendering one costs more than the assignment itself); the log holds it sealed.
  async assignOathToken(userId: string, body: unknown, actor: Actor, qr: readonly QrFormat[] = []): Promise<AssignedToken> {
    const user = await this.userById(userId);
    const command = AssignOathToken.create({ ...objectBody(body), userId: user.userId });
    await this.onUser(user.userId, (s) => decideAssignOathToken(s, command, { sealer: this.deps.sealer }), actor);
    const seedBase32 = base32Encode(command.seed.reveal());
    const common = { issuer: this.deps.issuer ?? 'Twofold', account: user.username, seedBase32, algorithm: command.algorithm, digits: command.digits };
    const otpauthUri = command.kind === 'totp'
      ? buildOtpauthUri({ ...common, kind: 'totp', period: command.period })
      : buildOtpauthUri({ ...common, kind: 'hotp', counter: command.counter });
    const token = (await this.listTokens(user.userId)).find((t) => t.tokenId === command.tokenId);
    return {
      token,
      otpauthUri,
      ...(qr.includes('svg') ? { qrSvg: await renderQr(otpauthUri, 'svg') } : {}),
      ...(qr.includes('png') ? { qrPngBase64: (await renderQr(otpauthUri, 'png')).toString('base64') } : {}),
    };
  }

  async removeOathToken(userId: string, tokenId: string, actor: Actor): Promise<void> {
    await this.onUser(userId, (s) => decideRemoveOathToken(s, RemoveOathToken.create({ userId, tokenId })), actor);
  }

  // Seeds are opened only to check a code, never to show them again.
  openSeed(token: OathTokenView): Buffer {
    return base32Decode(this.deps.sealer.open(token.seed, SealContext.oathSeed(token.userId, token.tokenId)));
  }

  // ---- settings ----

  async updateSettings(body: unknown, actor: Actor, expectedVersion?: number) {
    const command = unnestErrors('changes', () => UpdateSettings.create({ changes: objectBody(body), ...(expectedVersion !== undefined ? { expectedVersion } : {}) }));
    await this.executor.execute(Streams.settings(), foldSettings, (s) => decideUpdateSettings(s, command), actor);
    return this.queries.getSettings();
  }
}
