import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseGuards } from '@nestjs/common';
import type { Actor } from '@twofold/commands';
import { certificateFingerprint } from '@twofold/platform';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import { CurrentActor } from '../admin/auth/actor';
import { admitNode } from './admit-node';
import { issueClientCertificate, listNodes, reissueNodeCertificate, removeNode } from './node-admin';

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
  join(@Body() body: unknown) {
    return admitNode(this.runtime, body);
  }

  @Post('admin/v1/cluster/join-tokens')
  @UseGuards(AdminAuthGuard)
  issueJoinToken(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.runtime.commands.cluster.issueJoinToken(body, actor, certificateFingerprint(this.runtime.dataDir.ca.certPem));
  }

  @Get('admin/v1/cluster/nodes')
  @UseGuards(AdminAuthGuard)
  nodes() {
    return listNodes(this.runtime);
  }

  @Post('admin/v1/cluster/nodes/:name/remove')
  @UseGuards(AdminAuthGuard)
  @HttpCode(200)
  remove(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return removeNode(this.runtime, name, actor);
  }

  @Post('admin/v1/cluster/nodes/:name/certificate')
  @UseGuards(AdminAuthGuard)
  reissue(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return reissueNodeCertificate(this.runtime, name, actor);
  }

  @Post('admin/v1/sdk-client-certificates')
  @UseGuards(AdminAuthGuard)
  clientCertificate(@Body() body: unknown) {
    return issueClientCertificate(this.runtime, body);
  }

  @Post('admin/v1/cluster/promote')
  @UseGuards(AdminAuthGuard)
  @HttpCode(200)
  async promote(@CurrentActor() actor: Actor) {
    const epoch = await this.runtime.replication.promote(actor.actor);
    return { role: this.runtime.role.role, epoch };
  }
}
