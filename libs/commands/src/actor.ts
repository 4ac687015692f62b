// Who asked for a change; becomes the event metadata an auditor reads.
export interface Actor {
  actor: string;            // `admin:<name>`, `sdk:<credential>`, `radius:<client>`, `system`
  adminId?: string;
  correlationId?: string;
}

export const SYSTEM_ACTOR: Actor = { actor: 'system' };
