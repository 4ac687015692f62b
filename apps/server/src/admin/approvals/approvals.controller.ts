import { Body, Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import { approvalStream, DecideApproval, decideApproval, DomainError, DomainErrorCode, foldApproval } from '@twofold/domain';
import { Actor, StreamExecutor } from '@twofold/commands';
import { openApprovalId, StateSealer } from '@twofold/mfa';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

class ApprovalError extends Error {
  constructor(readonly code: 'unknown_approval' | 'validation_failed', message: string) {
    super(message);
  }
}

const DECISIONS: Record<string, 'approved' | 'denied' | 'fraud'> = {
  approve: 'approved', approved: 'approved', deny: 'denied', denied: 'denied', fraud: 'fraud',
};

// Out-of-band approvals (push, voice) decided by an administrator or a test harness, until the
// mobile app service exists. The decision is an event: whichever node holds the request sees it.
@Controller('admin/v1/approvals')
@UseGuards(AdminAuthGuard)
export class ApprovalsController {
  private readonly sealer: StateSealer;
  private readonly executor: StreamExecutor;

  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {
    this.sealer = new StateSealer({ keyId: runtime.dataDir.masterKeyId, key: runtime.dataDir.masterKey });
    this.executor = new StreamExecutor({ store: runtime.store, projector: runtime.projector, nodeId: runtime.dataDir.identity.nodeId });
  }

  @Post(':approvalId')
  @HttpCode(200)
  async decide(@Param('approvalId') approvalId: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    const raw = (body as { decision?: unknown } | undefined)?.decision;
    const decision = typeof raw === 'string' ? DECISIONS[raw] : undefined;
    if (!decision) throw new ApprovalError('validation_failed', 'decision: must be "approve", "deny" or "fraud"');
    let opened;
    try {
      opened = openApprovalId(this.sealer, approvalId, Date.now());
    } catch {
      throw new ApprovalError('unknown_approval', 'No pending approval with this id (it may have expired).');
    }
    const command = DecideApproval.create({ approvalKey: opened.approvalKey, userId: opened.userId, decision, source: actor.actor.slice(0, 128) });
    const stream = approvalStream(opened.approvalKey);
    // Refuse a second decision before blocking anyone; block before releasing the waiting request,
    // so the node holding it already sees the block in the log when it answers.
    if (foldApproval(await this.runtime.store.readStream(stream)).decided !== null) {
      throw DomainError.rule(DomainErrorCode.AlreadyExists, 'approvalId', 'This approval request has already been decided.');
    }
    if (decision === 'fraud') await this.runtime.commands.security.reportFraud(opened.userId, 'fraud reported on an approval request', actor.actor);
    await this.executor.execute(stream, foldApproval, (s) => decideApproval(s, command, { now: new Date() }), actor);
    return { approvalKey: opened.approvalKey, userId: opened.userId, decision };
  }
}
