import { Body, Controller, ForbiddenException, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@twofold/commands';
import { certificateFingerprint } from '@twofold/platform';
import { RUNTIME } from '../node/runtime.token';
import type { NodeRuntime } from '../node/node-runtime';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import { CurrentActor } from '../admin/auth/actor';
import { admitNode } from './admit-node';
import { issueClientCertificate, listNodes, reissueNodeCertificate, removeNode } from './node-admin';
import { memberNodeOf } from './node-peer';

@Controller()
export class ClusterController {
  constructor(@Inject(RUNTIME) private readonly runtime: NodeRuntime) {}

  // Public: which epoch and master this node knows. Peers ask it to find the newest master.
  @Get('cluster/v1/epoch')
  epoch() {
    const { role, dataDir } = this.runtime;
    return { nodeId: dataDir.identity.nodeId, nodeName: dataDir.identity.nodeName, role: role.role, epoch: role.epoch, fenced: role.fenced, master: role.master };
  }

  // Public: "a newer epoch may exist". Nothing in it is believed; this node checks with the
  // master the log names (over replication, identity checked) and steps down only if it answers.
  @Post('cluster/v1/epoch-notice')
  @HttpCode(202)
  epochNotice() {
    this.runtime.replication.checkNow();
    return { checking: true };
  }

  // Member nodes only (their node certificate): this node's log, for a peer being promoted that
  // lacks the end of it. Records are stored hash-chained, so the reader checks every one.
  @Get('cluster/v1/log')
  async log(@Req() req: Request, @Query('after') after?: string, @Query('limit') limit?: string) {
    if (!(await memberNodeOf(this.runtime, req))) throw new ForbiddenException({ code: 'forbidden', message: 'only a member node (its node certificate) may read the log' });
    const from = Math.max(0, Math.trunc(Number(after ?? 0)) || 0);
    const count = Math.min(1000, Math.max(1, Math.trunc(Number(limit ?? 500)) || 500));
    const { store } = this.runtime;
    return { head: await store.head(), records: await store.readFrom(from, count) };
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
  async promote(@CurrentActor() actor: Actor, @Body() body: unknown) {
    const force = typeof body === 'object' && body !== null && (body as { force?: unknown }).force === true;
    const epoch = await this.runtime.replication.promote(actor.actor, { force });
    return { role: this.runtime.role.role, epoch };
  }
}
