import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDeliveryProvider, readFileDeliveries } from './file-delivery-provider';
import { DeliveryError } from './delivery.error';

describe('FileDeliveryProvider', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'twofold-delivery-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('appends one JSON line per message that a test can read the code back from', async () => {
    const path = join(dir, 'nested', 'sms.jsonl');
    const sut = new FileDeliveryProvider(path, () => Date.UTC(2025, 0, 2, 3, 4, 5));
    const receipt = await sut.send({ channel: 'sms', to: '+15550100', userId: 'u1', text: 'Your code is 123456', metadata: { lang: 'en' } });
    await sut.send({ channel: 'voice', to: '+15550101', userId: 'u2', text: 'line one\nline "two"' });

    const records = await readFileDeliveries(path);
    expect(records).toEqual([
      { at: '2025-01-02T03:04:05.000Z', providerMessageId: receipt.providerMessageId, channel: 'sms', to: '+15550100', userId: 'u1', text: 'Your code is 123456', metadata: { lang: 'en' } },
      expect.objectContaining({ channel: 'voice', text: 'line one\nline "two"' }),
    ]);
    expect(records[0].text.match(/\d{6}/)?.[0]).toBe('123456');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('keeps every line whole under concurrent sends', async () => {
    const path = join(dir, 'sms.jsonl');
    const sut = new FileDeliveryProvider(path);
    const receipts = await Promise.all(Array.from({ length: 50 }, (_, i) => sut.send({ channel: 'sms', to: `+1555${i}`, userId: `u${i}`, text: 'x'.repeat(5000) + i })));
    const records = await readFileDeliveries(path);
    expect(records.map((r) => r.providerMessageId).sort()).toEqual(receipts.map((r) => r.providerMessageId).sort());
  });

  it('reads an absent file as no deliveries', async () => {
    await expect(readFileDeliveries(join(dir, 'none.jsonl'))).resolves.toEqual([]);
  });

  it('fails with a typed error when the file cannot be written', async () => {
    const sut = new FileDeliveryProvider(dir); // a directory, not a file
    const error = await sut.send({ channel: 'sms', to: '+1', userId: 'u', text: 'code 987654' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'delivery_failed' });
    expect((error as Error).message).not.toContain('987654');
  });
});
