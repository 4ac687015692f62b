export type DeliveryErrorCode = 'delivery_failed' | 'delivery_timeout' | 'invalid_config';

// Messages never carry the message text (it holds the OTP) nor the gateway's reply (it may echo it).
export class DeliveryError extends Error {
  constructor(readonly code: DeliveryErrorCode, message: string) {
    super(message);
    this.name = 'DeliveryError';
  }
}
