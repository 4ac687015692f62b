import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { decodeJoinToken, type Actor } from '@twofold/commands';
import { DomainError, DomainErrorCode } from '@twofold/domain';
import { certificateFingerprint, issueCertificate } from '@twofold/platform';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import { CurrentActor } from '../admin/auth/actor';
import { joinRequest } from './join-request';

@Controller()
export class ClusterController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  // Public: which epoch and master this node knows. Peers ask it to find the newest master.
  @Get('cluster/v1/epoch')
  epoch() {
    const { role, dataDir } = this.runtime;
    return { nodeId: dataDir.identity.nodeId, nodeName: dataDir.identity.nodeName, role: role.role, epoch: role.epoch, fenced: role.fenced, master: role.master };
  }

  // Public: the cluster CA, so a joining node can compare it with the fingerprint in its token.
  @Get('cluster/v1/ca')
  ca() {
    return { certPem: this.runtime.dataDir.ca.certPem };
  }

  // A new node presents its one-time token and gets what its data directory needs.
  @Post('cluster/v1/join')
  @HttpCode(200)
  async join(@Body() body: unknown) {
    const { runtime } = this;
    const input = joinRequest(body);
    const token = decodeJoinToken(input.token);
    if (token.caFingerprint !== certificateFingerprint(runtime.dataDir.ca.certPem)) {
      throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'The join token was issued by another cluster.');
    }
    runtime.role.assertWritable();
    const nodeName = await runtime.commands.cluster.join(token, input);
    const caKey = runtime.dataDir.ca.keyPem;
    if (!caKey) throw DomainError.rule(DomainErrorCode.ValidationFailed, 'token', 'This node holds no CA key and cannot admit nodes.');
    const node = issueCertificate({ certPem: runtime.dataDir.ca.certPem, keyPem: caKey }, nodeName, { hosts: ['localhost', '127.0.0.1', '::1', nodeName, input.host] });
    const { identity } = runtime.dataDir;
    return {
      identity: {
        clusterId: identity.clusterId, nodeId: input.nodeId, nodeName, createdAt: new Date().toISOString(),
        founderNodeId: identity.founderNodeId ?? identity.nodeId,
        joinedMaster: runtime.replication.self,
      },
      masterKey: runtime.dataDir.masterKey.toString('base64'),
      ca: { certPem: runtime.dataDir.ca.certPem, keyPem: caKey },
      tls: node,
    };
  }

  @Post('admin/v1/cluster/join-tokens')
  @UseGuards(AdminAuthGuard)
  issueJoinToken(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.runtime.commands.cluster.issueJoinToken(body, actor, certificateFingerprint(this.runtime.dataDir.ca.certPem));
  }

  @Post('admin/v1/cluster/promote')
  @UseGuards(AdminAuthGuard)
  @HttpCode(200)
  async promote(@CurrentActor() actor: Actor) {
    const epoch = await this.runtime.replication.promote(actor.actor);
    return { role: this.runtime.role.role, epoch };
  }
}
