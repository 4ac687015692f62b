import { deviceAnswerMessage, devicePollMessage } from '@twofold/domain';
import { DeviceIdentity } from './device-identity';
import { mobileCall, MobileResponse, MobileServiceError, MobileTrust } from './mobile-client';

export interface PendingApproval {
  approvalId: string; application: string | null; from: string | null; requestedAt: string; expiresAt: string; numberChoices: number[];
}
export interface AnswerOptions { approvalId?: string; number?: number; notMe?: boolean }

// The activation QR code's text: `twofold-activate:?code=<code>&service=<mobile service URL>`.
export function parseActivationUri(uri: string): { code: string; service: string } {
  const m = /^twofold-activate:\?(.*)$/.exec(uri.trim());
  const params = new URLSearchParams(m?.[1] ?? '');
  const code = params.get('code');
  const service = params.get('service');
  if (!m || !code || !service) throw new Error('not an activation URI (twofold-activate:?code=...&service=...)');
  return { code, service };
}

// The reference device (the phone in tests, a try-out tool for administrators): activates with a
// code, long-polls for push sign-ins, and answers them signed with its key.
export class TwofoldDevice {
  constructor(readonly identity: DeviceIdentity) {}

  static open(keyFile: string): TwofoldDevice {
    return new TwofoldDevice(DeviceIdentity.openOrCreate(keyFile));
  }

  get deviceId(): string {
    const id = this.identity.file.deviceId;
    if (!id) throw new Error('this device is not activated yet (twofold-device activate)');
    return id;
  }

  // `service`: the Mobile App Web Service URL (the QR code's service=, e.g. https://portal/mobile/v1).
  async activate(input: { service: string; code: string; name: string; pushAddress?: string } & MobileTrust): Promise<{ deviceId: string; username: string }> {
    const trust = { ...(input.ca ? { ca: input.ca } : {}), ...(input.fingerprint ? { fingerprint: input.fingerprint } : {}) };
    const res = ok(await mobileCall(input.service, 'POST', '/activations', trust, {
      body: { activationCode: input.code, name: input.name, publicKey: this.identity.publicKey, ...(input.pushAddress ? { pushAddress: input.pushAddress } : {}) },
    }));
    const activated = { deviceId: String(res.deviceId), username: String(res.username) };
    this.identity.update({ service: input.service, ...trust, ...activated, name: input.name });
    return activated;
  }

  async poll(waitSeconds = 0): Promise<PendingApproval[]> {
    const deviceId = this.deviceId;
    const time = Math.floor(Date.now() / 1000);
    const res = ok(await this.call('GET', `/devices/${encodeURIComponent(deviceId)}/approvals?wait=${waitSeconds}`, {
      headers: { 'x-device-time': String(time), 'x-device-signature': this.identity.signText(devicePollMessage(deviceId, time)) },
      timeoutMs: (waitSeconds + 15) * 1000,
    }));
    return (res.approvals as PendingApproval[]) ?? [];
  }

  // Waits up to `seconds` for a pending approval (long polls of at most 30 s each).
  async waitForApproval(seconds = 30): Promise<PendingApproval | null> {
    const until = Date.now() + seconds * 1000;
    for (;;) {
      const left = Math.ceil((until - Date.now()) / 1000);
      const [first] = await this.poll(Math.max(0, Math.min(30, left)));
      if (first || left <= 0) return first ?? null;
    }
  }

  approve(options: AnswerOptions = {}): Promise<{ decision: string; reason?: string }> {
    return this.answer('approve', options);
  }

  deny(options: AnswerOptions = {}): Promise<{ decision: string; reason?: string }> {
    return this.answer('deny', options);
  }

  // Answers the given approval, or the first one pending now.
  async answer(decision: 'approve' | 'deny', options: AnswerOptions): Promise<{ decision: string; reason?: string }> {
    const approvalId = options.approvalId ?? (await this.poll(0))[0]?.approvalId;
    if (!approvalId) throw new MobileServiceError(404, 'no_pending_approval', 'no push sign-in is waiting for this device');
    const body = this.signedAnswer({ approvalId, decision, number: options.number, notMe: options.notMe });
    const res = ok(await this.call('POST', `/devices/${encodeURIComponent(this.deviceId)}/approvals/answer`, { body }));
    return res as { decision: string; reason?: string };
  }

  // The request body of an answer (tests change its fields to see them refused).
  signedAnswer(a: { approvalId: string; decision: 'approve' | 'deny'; number?: number; notMe?: boolean }): Record<string, unknown> {
    const signature = this.identity.signText(deviceAnswerMessage({ ...a, number: a.number ?? null, notMe: a.notMe === true, deviceId: this.deviceId }));
    return { approvalId: a.approvalId, decision: a.decision, ...(a.number !== undefined ? { number: a.number } : {}), ...(a.notMe ? { notMe: true } : {}), signature };
  }

  // A raw call to the service with this device's trust settings (for tests of bad input).
  call(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<MobileResponse> {
    const f = this.identity.file;
    if (!f.service) throw new Error('this device is not activated yet (twofold-device activate)');
    return mobileCall(f.service, method, path, { ...(f.ca ? { ca: f.ca } : {}), ...(f.fingerprint ? { fingerprint: f.fingerprint } : {}) }, opts);
  }
}

function ok(res: MobileResponse): Record<string, unknown> {
  if (res.status >= 200 && res.status < 300) return res.body;
  throw new MobileServiceError(res.status, String(res.body.code ?? `http_${res.status}`), String(res.body.detail ?? 'request failed'));
}
