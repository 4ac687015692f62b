import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpGatewayDeliveryProvider } from './http-gateway-delivery-provider';
import { DeliveryError } from './delivery.error';
import { DeliveryMessage } from './delivery-provider';

// Real SMS/voice providers cannot be reached from here. These tests run the provider against a
// real HTTP server on 127.0.0.1 standing in for the gateway.
interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }

describe('HttpGatewayDeliveryProvider', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let respond: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        respond(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    received = [];
    respond = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"messageId":"gw-42"}');
  });

  const message: DeliveryMessage = { channel: 'sms', to: '+1 (555) 0100', userId: 'DOMAIN\\bob', text: 'Code "123456"\n& more: ünï €' };

  it('posts a JSON body with every placeholder escaped, and returns the gateway id', async () => {
    const sut = new HttpGatewayDeliveryProvider({
      url: `${base}/send`,
      headers: { authorization: 'Bearer test-token' },
      bodyTemplate: '{"to":"{{to}}","body":"{{text}}","ref":"{{ userId }}","kind":"{{channel}}"}',
    });
    await expect(sut.send(message)).resolves.toEqual({ providerMessageId: 'gw-42' });
    expect(received).toHaveLength(1);
    expect(received[0].method).toBe('POST');
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers.authorization).toBe('Bearer test-token');
    expect(JSON.parse(received[0].body)).toEqual({ to: message.to, body: message.text, ref: message.userId, kind: 'sms' });
  });

  it('posts a form body with every placeholder percent-encoded', async () => {
    const sut = new HttpGatewayDeliveryProvider({
      url: `${base}/form`,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      bodyTemplate: 'to={{to}}&msg={{text}}&user={{userId}}',
    });
    await sut.send(message);
    const params = new URLSearchParams(received[0].body);
    expect([...params.entries()]).toEqual([['to', message.to], ['msg', message.text], ['user', message.userId]]);
  });

  it('percent-encodes placeholders in the URL of a GET gateway and makes its own id if the reply has none', async () => {
    respond = (_req, res) => res.writeHead(200).end('OK');
    const sut = new HttpGatewayDeliveryProvider({ url: `${base}/get?to={{to}}&text={{text}}`, method: 'GET' });
    const receipt = await sut.send(message);
    expect(receipt.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    const query = new URL(received[0].url, base).searchParams;
    expect(query.get('to')).toBe(message.to);
    expect(query.get('text')).toBe(message.text);
  });

  it('turns a non-2xx answer into delivery_failed without leaking the code the gateway echoed', async () => {
    respond = (_req, res) => res.writeHead(500).end(`boom: ${message.text}`);
    const sut = new HttpGatewayDeliveryProvider({ url: `${base}/send`, bodyTemplate: '{"t":"{{text}}"}' });
    const error = await sut.send(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'delivery_failed', message: 'gateway answered HTTP 500' });
  });

  it('gives up on a gateway that hangs with delivery_timeout', async () => {
    respond = () => undefined; // never answers
    const sut = new HttpGatewayDeliveryProvider({ url: `${base}/hang`, bodyTemplate: '{"t":"{{text}}"}', timeoutMs: 200 });
    await expect(sut.send(message)).rejects.toMatchObject({ code: 'delivery_timeout' });
    expect(received).toHaveLength(1);
  });

  it('reports an unreachable gateway as delivery_failed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const sut = new HttpGatewayDeliveryProvider({ url: `http://127.0.0.1:${port}/`, bodyTemplate: '{}' });
    await expect(sut.send(message)).rejects.toMatchObject({ code: 'delivery_failed' });
  });

  it('rejects configurations that could not be sent correctly', () => {
    const make = (o: Partial<ConstructorParameters<typeof HttpGatewayDeliveryProvider>[0]>) => () => new HttpGatewayDeliveryProvider({ url: `${base}/x`, ...o });
    expect(make({ bodyTemplate: '{"to":{{to}}}' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(make({ bodyTemplate: '{"to":"{{phone}}"}' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(make({ method: 'GET', bodyTemplate: '{}' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
    expect(make({ url: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'invalid_config' }));
  });
});
