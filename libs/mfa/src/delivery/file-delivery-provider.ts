import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DeliveryMessage, DeliveryProvider, DeliveryReceipt } from './delivery-provider';
import { DeliveryError } from './delivery.error';

export interface FileDeliveryRecord extends DeliveryMessage {
  at: string;
  providerMessageId: string;
}

// The development and test "SMS gateway": one JSON line per message, appended to a file.
// This file deliberately contains the message text, OTP included: it IS the delivery channel,
// the way a phone's inbox would be. It is created 0600; nothing else may write OTPs anywhere.
export class FileDeliveryProvider implements DeliveryProvider {
  private queue: Promise<unknown> = Promise.resolve();
  private dirReady = false;

  constructor(readonly path: string, private readonly now: () => number = Date.now) {}

  send(message: DeliveryMessage): Promise<DeliveryReceipt> {
    // Serialised so concurrent sends never interleave within a line.
    const result = this.queue.then(() => this.write(message));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async write(message: DeliveryMessage): Promise<DeliveryReceipt> {
    const providerMessageId = randomUUID();
    const record: FileDeliveryRecord = { at: new Date(this.now()).toISOString(), providerMessageId, ...message };
    try {
      if (!this.dirReady) {
        await mkdir(dirname(this.path), { recursive: true });
        this.dirReady = true;
      }
      await appendFile(this.path, JSON.stringify(record) + '\n', { mode: 0o600 });
    } catch (error) {
      throw new DeliveryError('delivery_failed', `could not append to the delivery file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return { providerMessageId };
  }
}

// For tests and the development portal: everything delivered so far, oldest first.
export async function readFileDeliveries(path: string): Promise<FileDeliveryRecord[]> {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return content.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as FileDeliveryRecord);
}
