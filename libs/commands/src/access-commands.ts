import {
  AddAdministrator, decideAddAdministrator, decideIssueSdkCredential, decideRemoveAdministrator, decideRevokeSdkCredential,
  DomainError, DomainErrorCode, foldAdministrator, foldSdkCredential, IssueSdkCredential, RemoveAdministrator, RevokeSdkCredential, Streams,
} from '@twofold/domain';
import type { AdministratorView, ReadModelQueries, SdkCredentialView } from '@twofold/read-model';
import { generateSecret, hashSdkSecret, verifySdkSecret } from '@twofold/mfa';
import { Actor, SYSTEM_ACTOR } from './actor';
import { AsyncLock } from './async-lock';
import { objectBody } from './input';
import { StreamExecutor } from './stream-executor';

export type PublicSdkCredential = Omit<SdkCredentialView, 'secretHash'>;
export type PublicAdministrator = Omit<AdministratorView, 'passwordHash'>;

const publicCredential = ({ secretHash: _h, ...rest }: SdkCredentialView): PublicSdkCredential => rest;
const publicAdministrator = ({ passwordHash: _h, ...rest }: AdministratorView): PublicAdministrator => rest;

// Credentials are `<id>.<secret>`: the id finds the record, the secret (32 random bytes) is
// checked against its SHA-256 in constant time. Shown once, stored only as a hash.
const TOKEN = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{20,200})$/;

export async function verifyAdminToken(queries: ReadModelQueries, token: string): Promise<AdministratorView | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const admin = await queries.getAdministrator(m[1]);
  return admin && verifySdkSecret(admin.passwordHash, m[2]) ? admin : null;
}

export async function verifySdkToken(queries: ReadModelQueries, token: string): Promise<SdkCredentialView | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const credential = await queries.getSdkCredential(m[1]);
  return credential && verifySdkSecret(credential.secretHash, m[2]) ? credential : null;
}

export class AccessCommands {
  private readonly names = new AsyncLock();

  constructor(private readonly executor: StreamExecutor, private readonly queries: ReadModelQueries) {}

  // ---- SDK credentials ----

  issueSdkCredential = (body: unknown, actor: Actor): Promise<PublicSdkCredential & { token: string }> => {
    const command = IssueSdkCredential.create(objectBody(body));
    const secret = command.secret.reveal();
    return this.names.run(async () => {
      const nameTaken = (await this.queries.listSdkCredentials()).some((c) => c.name === command.name && !c.revoked);
      await this.executor.execute(Streams.sdkCredential(command.credentialId), foldSdkCredential,
        (s) => decideIssueSdkCredential(s, command, { secretHash: hashSdkSecret(secret), nameTaken }), actor);
      const issued = await this.queries.getSdkCredential(command.credentialId);
      return { ...publicCredential(issued!), token: `${command.credentialId}.${secret}` };
    });
  };

  listSdkCredentials = async (): Promise<PublicSdkCredential[]> => (await this.queries.listSdkCredentials()).map(publicCredential);

  revokeSdkCredential = async (ref: string, actor: Actor): Promise<void> => {
    const credential = (await this.queries.getSdkCredential(ref)) ?? (await this.queries.listSdkCredentials()).find((c) => c.name === ref && !c.revoked);
    if (!credential) throw DomainError.rule(DomainErrorCode.UnknownSdkCredential, 'credential', `No SDK credential "${ref.slice(0, 64)}".`);
    const command = RevokeSdkCredential.create({ credentialId: credential.credentialId });
    await this.executor.execute(Streams.sdkCredential(credential.credentialId), foldSdkCredential, (s) => decideRevokeSdkCredential(s, command), actor);
  };

  // ---- administrators ----

  addAdministrator = (body: unknown, actor: Actor): Promise<PublicAdministrator & { token: string }> => {
    const secret = generateSecret(32);
    const command = AddAdministrator.create({ ...objectBody(body), password: secret });
    return this.names.run(async () => {
      const nameTaken = (await this.queries.listAdministrators()).some((a) => a.name === command.name);
      await this.executor.execute(Streams.administrator(command.adminId), foldAdministrator,
        (s) => decideAddAdministrator(s, command, { passwordHash: hashSdkSecret(secret), nameTaken }), actor);
      const added = await this.queries.getAdministrator(command.adminId);
      return { ...publicAdministrator(added!), token: `${command.adminId}.${secret}` };
    });
  };

  listAdministrators = async (): Promise<PublicAdministrator[]> => (await this.queries.listAdministrators()).map(publicAdministrator);

  removeAdministrator = (ref: string, actor: Actor): Promise<void> =>
    this.names.run(async () => {
      const all = await this.queries.listAdministrators();
      const admin = all.find((a) => a.adminId === ref || a.name === ref);
      if (!admin) throw DomainError.rule(DomainErrorCode.UnknownAdministrator, 'admin', `No administrator "${ref.slice(0, 64)}".`);
      const command = RemoveAdministrator.create({ adminId: admin.adminId });
      await this.executor.execute(Streams.administrator(admin.adminId), foldAdministrator,
        (s) => decideRemoveAdministrator(s, command, { administratorCount: all.length }), actor);
    });

  // First start of a cluster: one administrator named "admin"; its token is returned to be shown once.
  async bootstrapFirstAdministrator(): Promise<string | undefined> {
    if ((await this.queries.listAdministrators()).length > 0) return undefined;
    const { token } = await this.addAdministrator({ name: 'admin' }, SYSTEM_ACTOR);
    return token;
  }
}
