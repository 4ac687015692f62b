import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Subscription } from '@twofold/event-store';
import { DeviceAnswerRequest, DeviceAnswerResult, DeviceApprovals, PendingApproval } from '@twofold/sdk-client';
import { deviceAnswerMessage, devicePollMessage, DEVICE_POLL_WINDOW_SECONDS, DomainErrorCode, isDomainError, numberChoices } from '@twofold/domain';
import { type ApprovalOutcome, CommandError } from '@twofold/commands';
import { OpenedApproval, openApprovalId, PushRequestRegistry, SealedStateError, verifyDeviceSignature } from '@twofold/mfa';
import type { DeviceView } from '@twofold/read-model';
import { SdkError } from '../errors/sdk-error';
import { SdkRateLimits } from '../rate-limit/sdk-rate-limits';
import { SDK_DEPS, SdkDeps } from '../sdk.deps';
import { parseInput } from '../sdk-input';
import type { SdkPrincipal } from '../auth/sdk-principal';
import { deviceIdParam } from './device-activation.service';

const MAX_WAIT_SECONDS = 30;
const OUTCOME = { approve: 'approved', deny: 'denied', fraud: 'fraud' } as const;

function alreadyDecided(): SdkError {
  return new SdkError('approval_already_decided', 'this approval request has already been decided', { field: 'approvalId' });
}

interface PollInput { wait: unknown; time: string | undefined; signature: string | undefined }

// A device's view of the push sign-ins waiting for its user: the cluster's record (read model,
// every node) and the ones started on this node (registry: also while the master is down).
@Injectable()
export class DeviceApprovalsService implements OnModuleInit, OnModuleDestroy {
  private subscription?: Subscription;
  private readonly registry: PushRequestRegistry;

  constructor(@Inject(SDK_DEPS) private readonly deps: SdkDeps, private readonly limits: SdkRateLimits) {
    this.registry = deps.pushRequests ?? new PushRequestRegistry();
  }

  async onModuleInit(): Promise<void> {
    const head = await this.deps.store.head();
    // A request recorded by any node wakes the long polls of its user's devices here.
    this.subscription = this.deps.store.subscribe(head.position, (event) => {
      if (event.type === 'PushApprovalRequested') void this.deps.projector.waitFor(event.position).then(() => this.registry.wake(String(event.payload.userId)), () => undefined);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.close();
    this.registry.close();
  }

  async poll(principal: SdkPrincipal, rawDeviceId: string, input: PollInput): Promise<DeviceApprovals> {
    const device = await this.device(rawDeviceId);
    const time = typeof input.time === 'string' && /^[0-9]{1,12}$/.test(input.time) ? Number(input.time) : NaN;
    if (!Number.isFinite(time)) throw new SdkError('signature_invalid', 'X-Device-Time must be the unix time in seconds the device signed', { field: 'X-Device-Time' });
    if (Math.abs(time - Math.floor(Date.now() / 1000)) > DEVICE_POLL_WINDOW_SECONDS) throw new SdkError('signature_invalid', `X-Device-Time is more than ${DEVICE_POLL_WINDOW_SECONDS} s from the server's clock`, { field: 'X-Device-Time' });
    if (!verifyDeviceSignature(device.publicKey, devicePollMessage(device.deviceId, time), input.signature)) {
      throw new SdkError('signature_invalid', 'X-Device-Signature is not this device\'s signature of the poll', { field: 'X-Device-Signature' });
    }
    const waitSeconds = this.waitSeconds(input.wait);
    const until = Date.now() + waitSeconds * 1000;
    for (;;) {
      // Waiting before looking: a request recorded while we look still wakes this poll.
      const left = until - Date.now();
      let release = () => undefined as void;
      const woken = this.registry.waitForUser(device.userId, Math.max(0, left), (done) => (release = done));
      const approvals = await this.pending(device.userId);
      if (approvals.length > 0 || left <= 0) {
        release();
        return { approvals };
      }
      await woken;
    }
  }

  async answer(principal: SdkPrincipal, rawDeviceId: string, body: unknown): Promise<DeviceAnswerResult> {
    const device = await this.device(rawDeviceId);
    const input = parseInput(DeviceAnswerRequest, body);
    const signed = deviceAnswerMessage({ approvalId: input.approvalId, decision: input.decision, number: input.number ?? null, notMe: input.notMe === true, deviceId: device.deviceId });
    if (!verifyDeviceSignature(device.publicKey, signed, input.signature)) {
      throw new SdkError('signature_invalid', 'signature: not this device\'s signature of the answer', { field: 'signature' });
    }
    const approval = this.open(input.approvalId);
    if (approval.userId !== device.userId) throw new SdkError('approval_not_for_device', 'this approval request is for another user\'s devices', { field: 'approvalId' });
    this.limits.user(device.userId);
    if (await this.decided(approval.approvalKey)) throw alreadyDecided();
    const source = `device:${device.deviceId}`;
    let decision: 'approve' | 'deny' | 'fraud' = input.decision === 'deny' && input.notMe ? 'fraud' : input.decision;
    // A wrong number never approves: it is recorded as a denial (the sign-in fails at once).
    const mismatch = decision === 'approve' && approval.numberToMatch !== undefined && input.number !== approval.numberToMatch;
    if (mismatch) decision = 'deny';
    const outcome = await this.decide(approval, decision, source);
    this.deps.logger.info({ credential: principal.name, userId: device.userId, deviceId: device.deviceId, decision: outcome, op: 'device.answer' }, 'push approval answered by a device');
    return { decision: outcome, ...(mismatch ? { reason: 'number_mismatch' as const } : {}) };
  }

  private async decided(approvalKey: string): Promise<boolean> {
    return this.deps.heldDecisions?.read(approvalKey) != null || (await this.deps.commands.approvals.decision(approvalKey)) !== null;
  }

  // On a slave an answer gets here only when the master cannot be reached (write forwarding
  // sends it to the master otherwise). The node holding the sign-in decides it then (outbox);
  // any other node answers 503 master_unavailable, and the portal tries its next SDK URL.
  private async decide(approval: OpenedApproval, decision: 'approve' | 'deny' | 'fraud', source: string): Promise<ApprovalOutcome> {
    const key = { approvalKey: approval.approvalKey, userId: approval.userId };
    try {
      return await this.deps.commands.approvals.decide(key, { decision }, { actor: source });
    } catch (error) {
      const held = this.deps.heldDecisions;
      const code = (error as { code?: unknown }).code;
      if (code !== 'read_only_replica' && code !== 'master_unavailable') throw error;
      if (!held?.holds(approval.approvalKey)) throw new CommandError('master_unavailable', 'the master cannot be reached and this node does not hold the sign-in: answer on the node that holds it');
      try {
        const outcome = await held.decide({ ...key, expiresAt: approval.expiresAt }, OUTCOME[decision], source);
        this.deps.logger.warn({ userId: approval.userId, decision: outcome, op: 'device.answer.held' }, 'push approval decided on the node holding the sign-in while the master is unreachable (kept in the outbox)');
        return outcome;
      } catch (refused) {
        if (isDomainError(refused, DomainErrorCode.AlreadyExists)) throw alreadyDecided();
        throw refused;
      }
    }
  }

  private async device(rawDeviceId: string): Promise<DeviceView> {
    const deviceId = parseInput(deviceIdParam, rawDeviceId, 'deviceId');
    const device = await this.deps.queries.getDevice(deviceId);
    if (!device) throw new SdkError('unknown_device', 'no such device (never activated, or removed)', { field: 'deviceId' });
    return device;
  }

  private waitSeconds(raw: unknown): number {
    if (raw === undefined || raw === '') return 0;
    const n = typeof raw === 'string' && /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 0 && n <= MAX_WAIT_SECONDS)) throw new SdkError('validation_failed', `wait: must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`, { field: 'wait' });
    return n;
  }

  private open(approvalId: string): OpenedApproval {
    try {
      return openApprovalId(this.deps.stateSealer, approvalId, Date.now());
    } catch (error) {
      if (error instanceof SealedStateError && error.code === 'expired') throw new SdkError('approval_expired', 'the approval request has expired', { field: 'approvalId' });
      throw new SdkError('validation_failed', 'approvalId: not an approval id of this cluster', { field: 'approvalId' });
    }
  }

  // "radius:<clientId>" and "sdk:<credentialId>" as the user knows them: by the client's name.
  private async named(from: string): Promise<string> {
    const [kind, id] = [from.slice(0, from.indexOf(':')), from.slice(from.indexOf(':') + 1)];
    const name = kind === 'radius' ? (await this.deps.queries.getRadiusClient(id))?.name : kind === 'sdk' ? (await this.deps.queries.getSdkCredential(id))?.name : undefined;
    return name ? `${kind}:${name}` : from;
  }

  private async pending(userId: string): Promise<PendingApproval[]> {
    const recorded = await this.deps.queries.listPushRequests(userId);
    const local = this.registry.forUser(userId);
    const seen = new Set<string>();
    const out: PendingApproval[] = [];
    for (const r of [...recorded, ...local]) {
      if (seen.has(r.approvalKey)) continue;
      seen.add(r.approvalKey);
      let approval: OpenedApproval;
      try {
        approval = openApprovalId(this.deps.stateSealer, r.approvalId, Date.now());
      } catch {
        continue; // expired (or sealed under a key retired since)
      }
      if (await this.decided(r.approvalKey)) continue;
      out.push({
        approvalId: r.approvalId, application: approval.application ?? null, from: approval.from ? await this.named(approval.from) : null,
        requestedAt: r.requestedAt, expiresAt: new Date(approval.expiresAt).toISOString(),
        numberChoices: approval.numberToMatch !== undefined ? numberChoices(approval.numberToMatch, r.approvalKey) : [],
      });
    }
    return out;
  }
}
