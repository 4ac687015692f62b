import {
  AddRadiusClient, decideAddRadiusClient, decideRemoveRadiusClient, decideUpdateRadiusClient, DomainError, DomainErrorCode,
  foldRadiusClient, RemoveRadiusClient, SecretSealer, Streams, UpdateRadiusClient, decideRadiusClientPolicy, parseUnenrolledPolicy,
} from '@twofold/domain';
import type { RadiusClientView, ReadModelQueries } from '@twofold/read-model';
import { Actor } from './actor';
import { AsyncLock } from './async-lock';
import { objectBody, unnestErrors } from './input';
import { StreamExecutor } from './stream-executor';
import { assertPolicyFits, decideRadiusClientPolicyNow } from './rollout-commands';

// What an administrator sees of a RADIUS client: never the shared secret, sealed or not.
export type PublicRadiusClient = Omit<RadiusClientView, 'secret' | 'ldap' | 'upstream'> & {
  ldap: Record<string, unknown> | null;
  upstream: Record<string, unknown> | null;
};

function publicView(c: RadiusClientView): PublicRadiusClient {
  const { secret: _secret, ldap, upstream, ...rest } = c;
  const strip = (o: Record<string, unknown> | null, key: string) => {
    if (!o) return null;
    const { [key]: hidden, ...visible } = o;
    return hidden === undefined ? visible : { ...visible, [`${key}Set`]: true };
  };
  return { ...rest, ldap: strip(ldap, 'bindPassword'), upstream: strip(upstream, 'secret') };
}

export class RadiusClientCommands {
  private readonly names = new AsyncLock();

  constructor(private readonly executor: StreamExecutor, private readonly queries: ReadModelQueries, private readonly sealer: SecretSealer) {}

  async resolve(ref: string): Promise<RadiusClientView> {
    const client = (await this.queries.getRadiusClient(ref)) ?? (await this.queries.listRadiusClients()).find((c) => c.name === ref);
    if (!client) throw DomainError.rule(DomainErrorCode.UnknownRadiusClient, 'client', `No RADIUS client "${ref.slice(0, 64)}".`);
    return client;
  }

  private async nameTaken(name: string | undefined, exceptId?: string): Promise<boolean> {
    if (name === undefined) return false;
    return (await this.queries.listRadiusClients()).some((c) => c.name === name && c.clientId !== exceptId);
  }

  list = async (): Promise<PublicRadiusClient[]> => (await this.queries.listRadiusClients()).map(publicView);

  get = async (ref: string): Promise<PublicRadiusClient> => publicView(await this.resolve(ref));

  // `unenrolled` (staged rollout) is set in the same append as the client itself.
  add = (body: unknown, actor: Actor): Promise<PublicRadiusClient> => {
    const { unenrolled, ...rest } = objectBody(body);
    const command = AddRadiusClient.create(rest);
    const policy = unenrolled === undefined ? undefined : parseUnenrolledPolicy(unenrolled);
    if (policy) assertPolicyFits(command.firstFactor, policy);
    return this.names.run(async () => {
      const nameTaken = await this.nameTaken(command.name);
      await this.executor.execute(Streams.radiusClient(command.clientId), foldRadiusClient, (s) => [
        ...decideAddRadiusClient(s, command, { sealer: this.sealer, nameTaken }),
        ...(policy ? decideRadiusClientPolicy(command.clientId, undefined, policy) : []),
      ], actor);
      return this.get(command.clientId);
    });
  };

  update = async (ref: string, body: unknown, actor: Actor, expectedVersion?: number): Promise<PublicRadiusClient> => {
    const { clientId } = await this.resolve(ref);
    const { secret, unenrolled, ...changes } = objectBody(body);
    const policy = unenrolled === undefined ? undefined : parseUnenrolledPolicy(unenrolled);
    // Only the rollout policy: its own event (the other fields need at least one change).
    if (policy && secret === undefined && Object.keys(changes).length === 0) {
      await this.executor.execute(Streams.radiusClient(clientId), foldRadiusClient, (s) => decideRadiusClientPolicyNow(s, clientId, policy), actor);
      return this.get(clientId);
    }
    const command = unnestErrors('changes', () => UpdateRadiusClient.create({
      clientId, changes, ...(secret !== undefined ? { secret } : {}), ...(expectedVersion !== undefined ? { expectedVersion } : {}),
    }));
    return this.names.run(async () => {
      const nameTaken = await this.nameTaken(command.changes.name, clientId);
      await this.executor.execute(Streams.radiusClient(clientId), foldRadiusClient, (s) => {
        const updated = decideUpdateRadiusClient(s, command, { sealer: this.sealer, nameTaken });
        return policy ? [...updated, ...decideRadiusClientPolicyNow(foldRadiusClient(updated, s), clientId, policy)] : updated;
      }, actor);
      return this.get(clientId);
    });
  };

  remove = async (ref: string, actor: Actor): Promise<void> => {
    const { clientId } = await this.resolve(ref);
    const command = RemoveRadiusClient.create({ clientId });
    await this.executor.execute(Streams.radiusClient(clientId), foldRadiusClient, (s) => decideRemoveRadiusClient(s, command), actor);
  };
}
