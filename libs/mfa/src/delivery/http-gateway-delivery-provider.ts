import { randomUUID } from 'node:crypto';
import { DeliveryMessage, DeliveryProvider, DeliveryReceipt } from './delivery-provider';
import { DeliveryError } from './delivery.error';

export interface HttpGatewayOptions {
  // May contain placeholders too (query-string gateways); they are percent-encoded.
  url: string;
  method?: 'POST' | 'PUT' | 'GET';
  headers?: Record<string, string>;
  // e.g. '{"to":"{{to}}","message":"{{text}}"}' or 'to={{to}}&msg={{text}}'.
  bodyTemplate?: string;
  // Defaults from the Content-Type header: form when it says x-www-form-urlencoded, else JSON.
  bodyEncoding?: 'json' | 'form';
  timeoutMs?: number;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const FIELDS = ['to', 'text', 'userId', 'channel', 'approvalId'] as const;
type Field = (typeof FIELDS)[number];

const escapeJson = (value: string) => JSON.stringify(value).slice(1, -1);
const escapeForm = (value: string) => encodeURIComponent(value);

function render(template: string, message: DeliveryMessage, escape: (v: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => escape(String(message[name as Field] ?? '')));
}

function checkPlaceholders(template: string, where: string): void {
  for (const [, name] of template.matchAll(PLACEHOLDER)) {
    if (!(FIELDS as readonly string[]).includes(name)) throw new DeliveryError('invalid_config', `${where} uses unknown placeholder {{${name}}}; known: ${FIELDS.join(', ')}`);
  }
}

// A generic HTTP SMS/voice gateway. Real providers cannot be reached from the test machine;
// the spec runs this against a local http.createServer stand-in on 127.0.0.1.
export class HttpGatewayDeliveryProvider implements DeliveryProvider {
  private readonly method: 'POST' | 'PUT' | 'GET';
  private readonly headers: Record<string, string>;
  private readonly encoding: 'json' | 'form';
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpGatewayOptions) {
    this.method = options.method ?? 'POST';
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!Number.isFinite(this.timeoutMs) || this.timeoutMs <= 0) throw new DeliveryError('invalid_config', 'timeoutMs must be positive');
    checkPlaceholders(options.url, 'url');
    if (!/^https?:\/\//i.test(options.url)) throw new DeliveryError('invalid_config', 'url must be http(s)');

    const headers = { ...(options.headers ?? {}) };
    const contentTypeKey = Object.keys(headers).find((k) => k.toLowerCase() === 'content-type');
    const contentType = contentTypeKey ? headers[contentTypeKey] : undefined;
    this.encoding = options.bodyEncoding ?? (contentType?.toLowerCase().includes('x-www-form-urlencoded') ? 'form' : 'json');

    if (options.bodyTemplate !== undefined) {
      if (this.method === 'GET') throw new DeliveryError('invalid_config', 'a GET gateway cannot have a body template');
      checkPlaceholders(options.bodyTemplate, 'bodyTemplate');
      if (!contentTypeKey) headers['content-type'] = this.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
      if (this.encoding === 'json') {
        // Placeholders are escaped as JSON string content, so they must sit inside quotes.
        const sample: DeliveryMessage = { channel: 'sms', to: '"x"', userId: 'u', text: 'a\\"\n', approvalId: 'a' };
        try {
          JSON.parse(render(options.bodyTemplate, sample, escapeJson));
        } catch {
          throw new DeliveryError('invalid_config', 'bodyTemplate is not valid JSON once rendered (placeholders belong inside quotes)');
        }
      }
    }
    this.headers = headers;
  }

  async send(message: DeliveryMessage): Promise<DeliveryReceipt> {
    const url = render(this.options.url, message, encodeURIComponent);
    const body = this.options.bodyTemplate === undefined
      ? undefined
      : render(this.options.bodyTemplate, message, this.encoding === 'json' ? escapeJson : escapeForm);

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(url, { method: this.method, headers: this.headers, body, signal: controller.signal, redirect: 'error' });
      const reply = await response.text();
      // Status only: the reply body and the URL may echo the code or carry an API key.
      if (!response.ok) throw new DeliveryError('delivery_failed', `gateway answered HTTP ${response.status}`);
      return { providerMessageId: messageIdFrom(reply) ?? randomUUID() };
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      if (controller.signal.aborted) throw new DeliveryError('delivery_timeout', `gateway did not answer within ${this.timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new DeliveryError('delivery_failed', `gateway request failed${cause ? ` (${cause})` : ''}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

// Gateways usually answer with their id for the message; keep it for the audit trail.
function messageIdFrom(reply: string): string | null {
  try {
    const parsed: unknown = JSON.parse(reply);
    if (typeof parsed !== 'object' || parsed === null) return null;
    for (const key of ['messageId', 'message_id', 'id', 'sid']) {
      const value = (parsed as Record<string, unknown>)[key];
      if (typeof value === 'string' && value !== '') return value;
      if (typeof value === 'number') return String(value);
    }
  } catch {
    // Not JSON: fine, we make our own id.
  }
  return null;
}
