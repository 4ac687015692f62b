import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TwofoldConfig } from '@twofold/platform';
import { DeliveryProvider, FileDeliveryProvider, SmtpDeliveryProvider } from '@twofold/mfa';

// E-mail for invitation codes. The file provider (<dataDir>/emails.jsonl, one JSON line per
// message, code included: it IS the mailbox) is for development and tests; production uses SMTP.
export function createEmailProvider(config: TwofoldConfig, dataDirPath: string): DeliveryProvider {
  const email = config.email;
  if (email.provider === 'smtp') {
    return new SmtpDeliveryProvider({
      host: email.smtpHost!, port: email.smtpPort, from: email.from!, startTls: email.smtpStartTls, timeoutMs: email.smtpTimeoutMs,
      ...(email.smtpCaFile ? { ca: [readFileSync(email.smtpCaFile)] } : {}),
    });
  }
  return new FileDeliveryProvider(email.filePath ?? join(dataDirPath, 'emails.jsonl'));
}
