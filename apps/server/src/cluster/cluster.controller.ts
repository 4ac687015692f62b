import { Body, Controller, ForbiddenException, Get, HttpCode, Inject, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { CommandService, type Actor } from '@twofold/commands';
import { TypeOrmEventStore } from '@twofold/event-store';
import { certificateFingerprint, type DataDirectory } from '@twofold/platform';
import { ReadModelQueries } from '@twofold/read-model';
import { DATA_DIR, NODE_LOGGER } from '../node/runtime.token';
import { ReplicationCoordinator } from '../replication/replication-coordinator';
import { ClusterRole } from './cluster-role';
import { AdminAuthGuard } from '../admin/auth/admin-auth.guard';
import { CurrentActor } from '../admin/auth/actor';
import { admitNode } from './admit-node';
import { issueClientCertificate, listNodes, NodeAdminDeps, reissueNodeCertificate, removeNode } from './node-admin';
import { memberNodeOf } from './node-peer';

@Controller()
export class ClusterController {
  private readonly node: NodeAdminDeps;

  constructor(
    @Inject(ClusterRole) role: ClusterRole,
    @Inject(DATA_DIR) dataDir: DataDirectory,
    @Inject(ReplicationCoordinator) replication: ReplicationCoordinator,
    @Inject(CommandService) commands: CommandService,
    @Inject(ReadModelQueries) queries: ReadModelQueries,
    @Inject(NODE_LOGGER) logger: Logger,
    @Inject(TypeOrmEventStore) private readonly store: TypeOrmEventStore,
  ) {
    this.node = { role, dataDir, replication, commands, queries, logger };
  }

  // Public: which epoch and master this node knows. Peers ask it to find the newest master.
  @Get('cluster/v1/epoch')
  epoch() {
    const { role, dataDir } = this.node;
    return { nodeId: dataDir.identity.nodeId, nodeName: dataDir.identity.nodeName, role: role.role, epoch: role.epoch, fenced: role.fenced, master: role.master };
  }

  // Public: "a newer epoch may exist". Nothing in it is believed; this node checks with the
  // master the log names (over replication, identity checked) and steps down only if it answers.
  @Post('cluster/v1/epoch-notice')
  @HttpCode(202)
  epochNotice() {
    this.node.replication.checkNow();
    return { checking: true };
  }

  // Member nodes only (their node certificate): this node's log, for a peer being promoted that
  // lacks the end of it. Records are stored hash-chained, so the reader checks every one.
  @Get('cluster/v1/log')
  async log(@Req() req: Request, @Query('after') after?: string, @Query('limit') limit?: string) {
    if (!(await memberNodeOf(this.node, req))) throw new ForbiddenException({ code: 'forbidden', message: 'only a member node (its node certificate) may read the log' });
    const from = Math.max(0, Math.trunc(Number(after ?? 0)) || 0);
    const count = Math.min(1000, Math.max(1, Math.trunc(Number(limit ?? 500)) || 500));
    return { head: await this.store.head(), records: await this.store.readFrom(from, count) };
  }

  // Public: the cluster CA, so a joining node can compare it with the fingerprint in its token.
  @Get('cluster/v1/ca')
  ca() {
    return { certPem: this.node.dataDir.ca.certPem };
  }

  // A new node presents its one-time token and gets what its data directory needs.
  @Post('cluster/v1/join')
  @HttpCode(200)
  join(@Body() body: unknown) {
    return admitNode(this.node, body);
  }

  @Post('admin/v1/cluster/join-tokens')
  @UseGuards(AdminAuthGuard)
  issueJoinToken(@Body() body: unknown, @CurrentActor() actor: Actor) {
    return this.node.commands.cluster.issueJoinToken(body, actor, certificateFingerprint(this.node.dataDir.ca.certPem));
  }

  @Get('admin/v1/cluster/nodes')
  @UseGuards(AdminAuthGuard)
  nodes() {
    return listNodes(this.node);
  }

  @Post('admin/v1/cluster/nodes/:name/remove')
  @UseGuards(AdminAuthGuard)
  @HttpCode(200)
  remove(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return removeNode(this.node, name, actor);
  }

  @Post('admin/v1/cluster/nodes/:name/certificate')
  @UseGuards(AdminAuthGuard)
  reissue(@Param('name') name: string, @CurrentActor() actor: Actor) {
    return reissueNodeCertificate(this.node, name, actor);
  }

  @Post('admin/v1/sdk-client-certificates')
  @UseGuards(AdminAuthGuard)
  clientCertificate(@Body() body: unknown) {
    return issueClientCertificate(this.node, body);
  }

  @Post('admin/v1/cluster/promote')
  @UseGuards(AdminAuthGuard)
  @HttpCode(200)
  async promote(@CurrentActor() actor: Actor, @Body() body: unknown) {
    const force = typeof body === 'object' && body !== null && (body as { force?: unknown }).force === true;
    const epoch = await this.node.replication.promote(actor.actor, { force });
    return { role: this.node.role.role, epoch };
  }
}
