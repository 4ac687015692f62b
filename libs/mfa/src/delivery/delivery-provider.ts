// email: an invitation code to the user's address (metadata.subject is its subject line).
export type DeliveryChannel = 'sms' | 'voice' | 'push' | 'email';

export interface DeliveryMessage {
  channel: DeliveryChannel;
  to: string;
  userId: string;
  // For sms/voice this holds the one-time code: never log it.
  text: string;
  approvalId?: string;
  metadata?: Record<string, string>;
}

export interface DeliveryReceipt {
  providerMessageId: string;
}

export interface DeliveryProvider {
  send(message: DeliveryMessage): Promise<DeliveryReceipt>;
}
