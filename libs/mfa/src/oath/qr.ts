import QRCode from 'qrcode';
import { OathError } from './oath.error';

export type QrFormat = 'png' | 'svg';

// The URI carries the seed: render it for the enrolling user only, never cache or log it.
export function renderQr(uri: string, format: 'png'): Promise<Buffer>;
export function renderQr(uri: string, format: 'svg'): Promise<string>;
export function renderQr(uri: string, format: QrFormat): Promise<Buffer | string>;
export function renderQr(uri: string, format: QrFormat): Promise<Buffer | string> {
  const common = { errorCorrectionLevel: 'M' as const, margin: 4 };
  if (format === 'png') return QRCode.toBuffer(uri, { ...common, type: 'png', scale: 6 });
  if (format === 'svg') return QRCode.toString(uri, { ...common, type: 'svg' });
  return Promise.reject(new OathError('invalid_options', 'QR format must be png or svg'));
}
