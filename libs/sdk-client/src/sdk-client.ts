import { Agent, request } from 'node:https';
import type { z } from 'zod';
import * as c from './sdk-contract';
import * as e from './sdk-contract-enrolment';
import * as d from './sdk-contract-devices';
import { sdkOperation } from './sdk-operations';

export interface SdkClientOptions {
  baseUrl: string; // https://mfa.example.com:8443
  ca?: string | Buffer; // the cluster CA, to trust the servers
  cert?: string | Buffer; // client certificate (mutual TLS) ...
  key?: string | Buffer;
  token?: string; // ... or the SDK credential `<credentialId>.<secret>`
  timeoutMs?: number; // per request (a long-poll adds its wait); default 30 s
  keepAlive?: boolean; // default true
  maxSockets?: number; // connections per server; default 32 (long-polls hold one each)
  // Check every answer against the contract and throw SdkContractError on a mismatch (tests).
  validateResponses?: boolean;
}

export interface RawResponse { status: number; headers: Record<string, string | string[] | undefined>; body: unknown }

// An answer that is not 2xx: the problem details the server sent, and Retry-After for 429/503.
export class SdkApiError extends Error {
  override readonly name = 'SdkApiError';
  readonly code: string;
  readonly retryAfterSeconds?: number;

  constructor(readonly status: number, readonly problem: Partial<c.Problem>, retryAfter?: string) {
    super(`${status} ${problem.code ?? 'error'}: ${problem.detail ?? 'request failed'}`);
    this.code = problem.code ?? `http_${status}`;
    const seconds = retryAfter !== undefined ? Number(retryAfter) : problem.retryAfterSeconds;
    if (seconds !== undefined && Number.isFinite(seconds)) this.retryAfterSeconds = seconds;
  }
}

export class SdkContractError extends Error {
  override readonly name = 'SdkContractError';
  constructor(readonly operationId: string, readonly issues: unknown) {
    super(`${operationId}: the answer does not match the SDK contract: ${JSON.stringify(issues).slice(0, 500)}`);
  }
}

type In<S extends z.ZodType> = z.input<S>;

// A typed client for /sdk/v1 over node:https (no global agent, no proxy).
export class TwofoldSdkClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(private readonly options: SdkClientOptions) {
    this.base = new URL(options.baseUrl);
    this.agent = new Agent({ keepAlive: options.keepAlive ?? true, maxSockets: options.maxSockets ?? 32, ca: options.ca, cert: options.cert, key: options.key });
  }

  startAuthentication(input: In<typeof c.StartAuthenticationRequest>): Promise<c.StartResult> {
    return this.call('startAuthentication', { body: input });
  }

  answerChallenge(input: In<typeof c.AnswerChallengeRequest>): Promise<c.AnswerResult> {
    return this.call('answerChallenge', { body: input });
  }

  pollAuthentication(input: In<typeof c.PollRequest>): Promise<c.PollResult> {
    return this.call('pollAuthentication', { body: input, extraTimeoutMs: (input.waitSeconds ?? 0) * 1000 });
  }

  cancelAuthentication(input: In<typeof c.CancelRequest>): Promise<c.CancelResult> {
    return this.call('cancelAuthentication', { body: input });
  }

  redeemInvitation(input: In<typeof e.RedeemInvitationRequest>): Promise<c.AnswerResult> {
    return this.call('redeemInvitation', { body: input });
  }

  validatePin(input: In<typeof c.PinValidationRequest>): Promise<c.PinValidationResult> {
    return this.call('validatePin', { body: input });
  }

  getUser(username: string): Promise<c.UserSummary> {
    return this.call('getUser', { params: { username } });
  }

  getSelf(userAssertion: string): Promise<c.UserSummary> {
    return this.call('getSelf', { userAssertion });
  }

  changePin(userAssertion: string, input: In<typeof c.ChangePinRequest>): Promise<void> {
    return this.call('changePin', { userAssertion, body: input });
  }

  changePhone(userAssertion: string, input: In<typeof c.ChangePhoneRequest>): Promise<c.UserSummary> {
    return this.call('changePhone', { userAssertion, body: input });
  }

  enrollToken(userAssertion: string, input: In<typeof c.EnrollTokenRequest> = {}): Promise<c.TokenEnrolled> {
    return this.call('enrollToken', { userAssertion, body: input });
  }

  beginTokenEnrolment(userAssertion: string, input: In<typeof e.BeginTokenEnrolmentRequest> = {}): Promise<e.TokenEnrolmentStarted> {
    return this.call('beginTokenEnrolment', { userAssertion, body: input });
  }

  confirmTokenEnrolment(userAssertion: string, input: In<typeof e.ConfirmTokenEnrolmentRequest>): Promise<e.TokenConfirmed> {
    return this.call('confirmTokenEnrolment', { userAssertion, body: input });
  }

  beginPhoneChange(userAssertion: string, input: In<typeof e.BeginPhoneChangeRequest>): Promise<e.PhoneChangeStarted> {
    return this.call('beginPhoneChange', { userAssertion, body: input });
  }

  confirmPhoneChange(userAssertion: string, input: In<typeof e.ConfirmPhoneChangeRequest>): Promise<c.UserSummary> {
    return this.call('confirmPhoneChange', { userAssertion, body: input });
  }

  getActivity(userAssertion: string): Promise<e.Activity> {
    return this.call('getActivity', { userAssertion });
  }

  removeToken(userAssertion: string, tokenId: string): Promise<void> {
    return this.call('removeToken', { userAssertion, params: { tokenId } });
  }

  reportFraud(userAssertion: string, input: In<typeof c.FraudReportRequest> = {}): Promise<c.FraudReported> {
    return this.call('reportFraud', { userAssertion, body: input });
  }

  issueDeviceActivation(userAssertion: string): Promise<d.DeviceActivationIssued> {
    return this.call('issueDeviceActivation', { userAssertion });
  }

  listOwnDevices(userAssertion: string): Promise<d.DeviceList> {
    return this.call('listOwnDevices', { userAssertion });
  }

  removeOwnDevice(userAssertion: string, deviceId: string): Promise<void> {
    return this.call('removeOwnDevice', { userAssertion, params: { deviceId } });
  }

  activateDevice(input: In<typeof d.ActivateDeviceRequest>): Promise<d.DeviceActivated> {
    return this.call('activateDevice', { body: input });
  }

  // signed: the device's X-Device-Time (unix seconds) and X-Device-Signature over devicePollMessage.
  pollDeviceApprovals(deviceId: string, signed: { time: number; signature: string }, waitSeconds = 0): Promise<d.DeviceApprovals> {
    return this.call('pollDeviceApprovals', {
      params: { deviceId }, query: { wait: String(waitSeconds) }, extraTimeoutMs: waitSeconds * 1000,
      headers: { 'x-device-time': String(signed.time), 'x-device-signature': signed.signature },
    });
  }

  answerDeviceApproval(deviceId: string, input: In<typeof d.DeviceAnswerRequest>): Promise<d.DeviceAnswerResult> {
    return this.call('answerDeviceApproval', { params: { deviceId }, body: input });
  }

  openApiDocument(): Promise<Record<string, unknown>> {
    return this.call('getOpenApi', {});
  }

  // Any request, answered as it came (tests, diagnostics).
  raw(method: string, path: string, opts: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string>; extraTimeoutMs?: number } = {}): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
      if (payload !== undefined) {
        headers['content-type'] ??= 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      if (this.options.token && headers.authorization === undefined) headers.authorization = `Bearer ${this.options.token}`;
      const url = new URL(path, this.base);
      const req = request(url, { method, headers, agent: this.agent, timeout: (this.options.timeoutMs ?? 30_000) + (opts.extraTimeoutMs ?? 0) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text === '' ? undefined : text;
          try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private async call<T>(operationId: string, opts: {
    body?: unknown; params?: Record<string, string>; query?: Record<string, string>; headers?: Record<string, string>; userAssertion?: string; extraTimeoutMs?: number;
  }): Promise<T> {
    const op = sdkOperation(operationId);
    const query = opts.query ? `?${new URLSearchParams(opts.query).toString()}` : '';
    const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(opts.params?.[name] ?? '')) + query;
    const headers: Record<string, string> = { ...(opts.headers ?? {}), ...(opts.userAssertion !== undefined ? { 'x-user-assertion': opts.userAssertion } : {}) };
    const res = await this.raw(op.method.toUpperCase(), path, { body: opts.body, headers, extraTimeoutMs: opts.extraTimeoutMs });
    if (res.status !== op.response.status) {
      const retryAfter = res.headers['retry-after'];
      const problem = res.body && typeof res.body === 'object' ? (res.body as Partial<c.Problem>) : { detail: String(res.body ?? '') };
      if (this.options.validateResponses && res.status >= 400) {
        const checked = c.Problem.safeParse(res.body);
        if (!checked.success) throw new SdkContractError(operationId, checked.error.issues);
      }
      throw new SdkApiError(res.status, problem, typeof retryAfter === 'string' ? retryAfter : undefined);
    }
    if (this.options.validateResponses && op.response.schema) {
      const checked = op.response.schema.safeParse(res.body);
      if (!checked.success) throw new SdkContractError(operationId, checked.error.issues);
    }
    return res.body as T;
  }
}
