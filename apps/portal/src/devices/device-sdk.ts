import { z } from 'zod';
import { SdkApiError, TwofoldSdkClient } from '@twofold/sdk-client';

// The self-service device calls of the SDK (Mobile App Web Service contract): issue an activation
// code, list and remove the user's own devices. Answers are checked before a page shows them.
const Activation = z.object({ activationCode: z.string().min(4).max(64), expiresAt: z.string() });
const Device = z.object({ deviceId: z.string().min(1).max(128), name: z.string().max(200), activatedAt: z.string(), lastSeenAt: z.string().nullish() });
const DeviceList = z.object({ devices: z.array(Device).max(1000) });

export type DeviceActivation = z.infer<typeof Activation>;
export type DeviceSummary = z.infer<typeof Device>;

async function selfService<T>(client: TwofoldSdkClient, assertion: string, method: string, path: string, ok: number, schema?: z.ZodType<T>): Promise<T> {
  const res = await client.raw(method, `/sdk/v1/self-service/${path}`, { headers: { 'x-user-assertion': assertion }, ...(method === 'POST' ? { body: {} } : {}) });
  if (res.status !== ok) {
    const problem = res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : {};
    const retryAfter = res.headers['retry-after'];
    throw new SdkApiError(res.status, problem, typeof retryAfter === 'string' ? retryAfter : undefined);
  }
  if (!schema) return undefined as T;
  const parsed = schema.safeParse(res.body);
  if (!parsed.success) throw new SdkApiError(502, { code: 'bad_answer', detail: `the SDK's answer to ${method} ${path} does not match the contract` });
  return parsed.data;
}

export const issueDeviceActivation = (client: TwofoldSdkClient, assertion: string) => selfService(client, assertion, 'POST', 'device-activations', 201, Activation);
export const listDevices = async (client: TwofoldSdkClient, assertion: string) => (await selfService(client, assertion, 'GET', 'devices', 200, DeviceList)).devices;
export const removeDevice = (client: TwofoldSdkClient, assertion: string, deviceId: string) => selfService<void>(client, assertion, 'DELETE', `devices/${encodeURIComponent(deviceId)}`, 204);
