import { Body, Inject, Param } from '@nestjs/common';
import { CommandService, type Actor } from '@twofold/commands';
import { openApprovalId, StateSealer } from '@twofold/mfa';
import { AdminController, AdminRoute } from '../auth/admin-route';
import { CurrentActor } from '../auth/actor';

class ApprovalError extends Error {
  readonly code = 'unknown_approval';
}

// Out-of-band approvals (push, voice) decided by an administrator or a test harness, until the
// mobile app service exists. The approval id is sealed with the cluster key: any node can open it.
@AdminController('admin/v1/approvals')
export class ApprovalsController {
  constructor(
    @Inject(CommandService) private readonly commands: CommandService,
    @Inject(StateSealer) private readonly sealer: StateSealer,
  ) {}

  @AdminRoute('post', ':approvalId', 200)
  async decide(@Param('approvalId') approvalId: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    let approval;
    try {
      approval = openApprovalId(this.sealer, approvalId, Date.now());
    } catch {
      throw new ApprovalError('No pending approval with this id (it may have expired).');
    }
    const decision = await this.commands.approvals.decide(approval, body, actor);
    return { approvalKey: approval.approvalKey, userId: approval.userId, decision };
  }
}
