import { DomainError, DomainErrorCode } from '@twofold/domain';

export interface JoinRequest { token: string; nodeId: string; host: string; httpPort: number; replicationPort: number }

const port = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

export function joinRequest(body: unknown): JoinRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  const bad = (field: string, rule: string) => DomainError.rule(DomainErrorCode.ValidationFailed, field, rule);
  if (typeof b.token !== 'string' || b.token.length > 2000) throw bad('token', 'token is required');
  if (typeof b.nodeId !== 'string' || !/^[0-9a-f-]{36}$/.test(b.nodeId)) throw bad('nodeId', 'nodeId must be a UUID');
  if (typeof b.host !== 'string' || !/^[A-Za-z0-9.:-]{1,255}$/.test(b.host)) throw bad('host', 'host must be a host name or address');
  if (!port(b.httpPort)) throw bad('httpPort', 'httpPort must be a port number');
  if (!port(b.replicationPort)) throw bad('replicationPort', 'replicationPort must be a port number');
  return { token: b.token, nodeId: b.nodeId, host: b.host, httpPort: b.httpPort as number, replicationPort: b.replicationPort as number };
}
