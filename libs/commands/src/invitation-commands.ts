import { createHash, randomBytes } from 'node:crypto';
import {
  base32Encode, decideIssueInvitation, decideUseInvitation, DomainError, DomainErrorCode, foldInvitation, invitationStream, IssueInvitation, UseInvitation,
} from '@twofold/domain';
import { Actor } from './actor';
import { objectBody } from './input';
import { StreamExecutor } from './stream-executor';

export interface IssuedInvitation { invitationId: string; userId: string; code: string; expiresAt: string }

const DEFAULT_HOURS = 72;
const CODE = /^([A-Z2-7]{8})-?([A-Z2-7]{16})$/;

const hashSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

// "ABCDEFGH-IJKLMNOPQRSTUVWX" (spaces and case forgiven) -> its id and secret, or null.
export function parseInvitationCode(code: string): { invitationId: string; secret: string } | null {
  const m = CODE.exec(code.replace(/\s/g, '').toUpperCase());
  return m ? { invitationId: m[1], secret: m[2] } : null;
}

// Invitations: issued by an administrator for one user, used once (recorded on the master, so
// once in the whole cluster), valid for a set time.
export class InvitationCommands {
  constructor(private readonly executor: StreamExecutor, private readonly clock: () => Date) {}

  // body: { validHours?: 1..720 }
  async issue(userId: string, body: unknown, actor: Actor): Promise<IssuedInvitation> {
    const raw = objectBody(body).validHours;
    const hours = raw === undefined ? DEFAULT_HOURS : raw;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > 720) {
      throw DomainError.rule(DomainErrorCode.ValidationFailed, 'validHours', 'validHours: must be a whole number of hours from 1 to 720');
    }
    const invitationId = base32Encode(randomBytes(5));
    const secret = base32Encode(randomBytes(10));
    const expiresAt = new Date(this.clock().getTime() + hours * 3_600_000).toISOString();
    const command = IssueInvitation.create({ invitationId, userId, secretHash: hashSecret(secret), expiresAt });
    await this.executor.execute(invitationStream(invitationId), foldInvitation, (s) => decideIssueInvitation(s, command), actor);
    return { invitationId, userId, code: `${invitationId}-${secret}`, expiresAt };
  }

  async use(userId: string, code: string, source: string): Promise<void> {
    const parsed = parseInvitationCode(code);
    if (!parsed) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'code', 'The invitation code is not valid or has expired.');
    const command = UseInvitation.create({ invitationId: parsed.invitationId, userId, secretHash: hashSecret(parsed.secret), source: source.slice(0, 128) });
    await this.executor.execute(invitationStream(parsed.invitationId), foldInvitation, (s) => decideUseInvitation(s, command, { now: this.clock() }), { actor: source.slice(0, 128) });
  }
}
