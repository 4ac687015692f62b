import { randomUUID } from 'node:crypto';
import {
  CLUSTER_STREAM, decideIssueJoinToken, decideJoin, decidePromotion, decideRecordNodeCertificate, decideRegisterFounder, decideRemoveNode, DomainError,
  DomainErrorCode, foldCluster, foldJoinToken, foldNode, joinTokenStream, NodeAddress, NodeCertificateReason, nodeStream,
} from '@twofold/domain';
import { generateSecret, hashSdkSecret, verifySdkSecret } from '@twofold/mfa';
import { Actor, SYSTEM_ACTOR } from './actor';
import { objectBody } from './input';
import { ExecutorDeps, StreamExecutor } from './stream-executor';

const JOIN_TOKEN_TTL_MS = 60 * 60 * 1000;

// A join token carries its id, a secret, and the fingerprint of the cluster CA, so the joining
// node can pin the master's certificate before trusting anything it sends.
export interface JoinToken { id: string; secret: string; caFingerprint: string }

export function encodeJoinToken(t: JoinToken): string {
  return Buffer.from(JSON.stringify({ i: t.id, s: t.secret, f: t.caFingerprint })).toString('base64url');
}

export function decodeJoinToken(text: string): JoinToken {
  try {
    const v = JSON.parse(Buffer.from(text.trim(), 'base64url').toString('utf8'));
    if (typeof v.i === 'string' && typeof v.s === 'string' && typeof v.f === 'string' && /^[0-9a-f]{64}$/.test(v.f)) {
      return { id: v.i, secret: v.s, caFingerprint: v.f };
    }
  } catch { /* fall through */ }
  throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'The join token is not valid.');
}

export class ClusterCommands {
  // Promotion must write on a node that is not (yet) master: it uses an unguarded executor.
  private readonly unguarded: StreamExecutor;
  // Membership never waits for synchronous replication: the first slave could not join otherwise.
  private readonly executor: StreamExecutor;

  constructor(deps: ExecutorDeps, private readonly clock: () => Date) {
    this.unguarded = new StreamExecutor({ ...deps, assertWritable: undefined, afterAppend: undefined });
    this.executor = new StreamExecutor({ ...deps, afterAppend: undefined });
  }

  async issueJoinToken(body: unknown, actor: Actor, caFingerprint: string): Promise<{ nodeName: string; token: string; expiresAt: string }> {
    const { name } = objectBody(body);
    if (typeof name !== 'string') throw DomainError.rule(DomainErrorCode.ValidationFailed, 'name', 'name is required: the new node\'s name.');
    const id = randomUUID();
    const secret = generateSecret(32);
    const expiresAt = new Date(this.clock().getTime() + JOIN_TOKEN_TTL_MS);
    await this.executor.execute(joinTokenStream(id), foldJoinToken,
      (s) => decideIssueJoinToken(s, { tokenId: id, nodeName: name, expiresAt, secretHash: hashSdkSecret(secret) }), actor);
    return { nodeName: name, token: encodeJoinToken({ id, secret, caFingerprint }), expiresAt: expiresAt.toISOString() };
  }

  // The master admits a node presenting a valid token; `certificateFor` issues its certificate
  // (returning the fingerprint), recorded with the join. Returns the node name the token was for.
  async join(token: JoinToken, node: { nodeId: string } & NodeAddress, certificateFor: (nodeName: string) => string): Promise<string> {
    const { state } = await this.executor.execute(joinTokenStream(token.id), foldJoinToken, (s) => decideJoin(s, {
      tokenId: token.id, nodeId: node.nodeId, host: node.host, httpPort: node.httpPort, replicationPort: node.replicationPort,
      secretValid: s.secretHash !== null && verifySdkSecret(s.secretHash, token.secret), certificateFor,
    }, this.clock()), { actor: `node:${node.nodeId}` });
    return state.nodeName!;
  }

  async registerFounder(node: { nodeId: string; nodeName: string; fingerprint: string } & NodeAddress): Promise<void> {
    await this.executor.execute(joinTokenStream('founder'), foldJoinToken, (s) => decideRegisterFounder(s, node, this.clock()), SYSTEM_ACTOR);
  }

  // Rotation (reissued) or pinning a certificate an upgraded cluster never recorded (first-use).
  async recordNodeCertificate(node: { nodeId: string; nodeName: string }, fingerprint: string, reason: NodeCertificateReason, actor: Actor): Promise<boolean> {
    const { events } = await this.executor.execute(nodeStream(node.nodeId), foldNode, (s) => decideRecordNodeCertificate(s, node, fingerprint, reason, this.clock()), actor);
    return events.length > 0;
  }

  async removeNode(node: { nodeId: string; nodeName: string; isMaster: boolean }, actor: Actor): Promise<boolean> {
    const { events } = await this.executor.execute(nodeStream(node.nodeId), foldNode, (s) => decideRemoveNode(s, node, this.clock()), actor);
    return events.length > 0;
  }

  // Writes the epoch record at the head of this node's log: from here on, it is the master.
  async promote(node: { nodeId: string; nodeName: string }, actor: Actor): Promise<number> {
    const { state, events } = await this.unguarded.execute(CLUSTER_STREAM, foldCluster, (s) => decidePromotion(s, node, this.clock()), actor);
    return foldCluster(events, state).epoch;
  }
}
