import { join } from 'node:path';
import type { TwofoldConfig } from '@twofold/platform';
import { DeliveryProvider, FileDeliveryProvider, HttpGatewayDeliveryProvider } from '@twofold/mfa';

// The file provider is the development default: <dataDir>/deliveries.jsonl.
export function createDeliveryProvider(config: TwofoldConfig, dataDirPath: string): DeliveryProvider {
  const delivery = config.delivery;
  if (delivery.provider === 'http') {
    if (!delivery.httpUrl) throw Object.assign(new Error('configuration key TWOFOLD_DELIVERY_HTTP_URL (delivery.httpUrl): required when delivery.provider is "http"'), { code: 'invalid_config' });
    return new HttpGatewayDeliveryProvider({
      url: delivery.httpUrl, method: delivery.httpMethod, bodyTemplate: delivery.httpBodyTemplate, headers: delivery.httpHeaders, timeoutMs: delivery.httpTimeoutMs,
    });
  }
  return new FileDeliveryProvider(delivery.filePath ?? join(dataDirPath, 'deliveries.jsonl'));
}
