import { createServer } from 'node:net';
import { SmtpListener } from '../../../../test/support/smtp-listener';
import { DeliveryError } from './delivery.error';
import { SmtpDeliveryProvider } from './smtp-delivery-provider';

const message = (to: string, text = 'Din engångskod: ABCDEFGH-IJKLMNOPQRSTUVWX\n.\nsista raden') => ({ channel: 'email' as const, to, userId: 'u1', text, metadata: { subject: 'Din inbjudan till användarportalen' } });

describe('SmtpDeliveryProvider against a real SMTP listener', () => {
  let smtp: SmtpListener;
  beforeAll(async () => (smtp = await SmtpListener.start()));
  afterAll(async () => smtp?.stop());
  const provider = (o: Partial<ConstructorParameters<typeof SmtpDeliveryProvider>[0]> = {}) => new SmtpDeliveryProvider({ host: '127.0.0.1', port: smtp.port, from: 'mfa@example.org', timeoutMs: 2000, ...o });

  it('delivers one message with the envelope, a UTF-8 subject and the text intact (a lone "." line cannot end it)', async () => {
    const receipt = await provider().send(message('dora@example.org'));
    expect(receipt.providerMessageId).toMatch(/@twofold$/);
    const got = smtp.received.at(-1)!;
    expect(got).toMatchObject({ from: 'mfa@example.org', to: ['dora@example.org'], subject: 'Din inbjudan till användarportalen' });
    expect(got.text).toBe('Din engångskod: ABCDEFGH-IJKLMNOPQRSTUVWX\n.\nsista raden');
    expect(got.headers['message-id']).toBe(`<${receipt.providerMessageId}>`);
  });

  it('says which step the relay refused, without the message text', async () => {
    smtp.refuseRecipients.add('gone@example.org');
    const error = await provider().send(message('gone@example.org')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toBe('the SMTP relay refused RCPT TO (550)');
    expect((error as DeliveryError).message).not.toContain('ABCDEFGH');
  });

  it('refuses an address that could inject a header or command, and a relay without the STARTTLS it must use', async () => {
    const count = smtp.received.length;
    await expect(provider().send(message('a@example.org>\r\nRCPT TO:<b@example.org'))).rejects.toThrow('the recipient is not an e-mail address');
    await expect(provider({ startTls: true }).send(message('dora@example.org'))).rejects.toThrow('the SMTP relay does not offer STARTTLS');
    expect(() => provider({ from: 'not an address' })).toThrow(DeliveryError);
    expect(smtp.received.length).toBe(count);
  });

  it('uses STARTTLS when told to, trusting the relay only with the right CA', async () => {
    const secure = await SmtpListener.start({ tls: true });
    try {
      const over = (ca?: Buffer[]) => new SmtpDeliveryProvider({ host: '127.0.0.1', port: secure.port, from: 'mfa@example.org', startTls: true, timeoutMs: 2000, ...(ca ? { ca } : {}) });
      await expect(over().send(message('dora@example.org'))).rejects.toThrow(/SMTP STARTTLS failed/);
      expect(secure.received).toHaveLength(0);
      await over([secure.tls!.cert]).send(message('dora@example.org'));
      expect(secure.received).toMatchObject([{ to: ['dora@example.org'], tls: true, subject: 'Din inbjudan till användarportalen' }]);
    } finally {
      await secure.stop();
    }
  });

  it('gives up on a relay that never answers, and on one that is not there', async () => {
    const silent = createServer((socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    await expect(provider({ port, timeoutMs: 200 }).send(message('dora@example.org'))).rejects.toMatchObject({ code: 'delivery_timeout' });
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await expect(provider({ port }).send(message('dora@example.org'))).rejects.toMatchObject({ code: 'delivery_failed' });
  });
});
