// Who asked for a change; becomes the event metadata an auditor reads.
export interface Actor {
  actor: string;            // `admin:<name>`, `sdk:<credential>`, `radius:<client>`, `system`
  adminId?: string;
  correlationId?: string;
  causationId?: string;     // e.g. the outbox id of a security event a slave sent upstream
}

export const SYSTEM_ACTOR: Actor = { actor: 'system' };
