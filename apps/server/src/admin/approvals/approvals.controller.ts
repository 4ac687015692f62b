import { Body, Controller, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { openApprovalId, StateSealer } from '@twofold/mfa';
import { RUNTIME } from '../../node/runtime.token';
import type { NodeRuntime } from '../../node/node-runtime';
import { AdminAuthGuard } from '../auth/admin-auth.guard';
import { CurrentActor } from '../auth/actor';

class ApprovalError extends Error {
  readonly code = 'unknown_approval';
}

// Out-of-band approvals (push, voice) decided by an administrator or a test harness, until the
// mobile app service exists. The approval id is sealed with the cluster key: any node can open it.
@Controller('admin/v1/approvals')
@UseGuards(AdminAuthGuard)
export class ApprovalsController {
  private readonly sealer: StateSealer;

  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {
    this.sealer = runtime.keys.stateSealer;
  }

  @Post(':approvalId')
  @HttpCode(200)
  async decide(@Param('approvalId') approvalId: string, @Body() body: unknown, @CurrentActor() actor: Actor) {
    let approval;
    try {
      approval = openApprovalId(this.sealer, approvalId, Date.now());
    } catch {
      throw new ApprovalError('No pending approval with this id (it may have expired).');
    }
    const decision = await this.runtime.commands.approvals.decide(approval, body, actor);
    return { approvalKey: approval.approvalKey, userId: approval.userId, decision };
  }
}
