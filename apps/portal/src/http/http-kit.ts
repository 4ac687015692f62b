import type { IncomingMessage, ServerResponse } from 'node:http';

export const MAX_FORM_BYTES = 4096;

// Every answer: no framing, nothing inline but styles we serve, no caching of personal pages.
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000',
  'cache-control': 'no-store',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export class FormError extends Error {
  constructor(readonly status: 400 | 413 | 415) {
    super(`form refused (${status})`);
  }
}

export function cookieValue(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

// The request's media type, lower case, without parameters ("text/html; charset=utf-8" -> "text/html").
export function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

// The body, at most `max` bytes; null when it is longer (the rest is drained).
export async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  if (Number(req.headers['content-length'] ?? 0) > max) {
    req.resume();
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) {
      req.resume();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

// application/x-www-form-urlencoded, at most MAX_FORM_BYTES; each field at most `limits[name]`.
export async function readForm(req: IncomingMessage): Promise<Map<string, string>> {
  if (mediaType(req) !== 'application/x-www-form-urlencoded') throw new FormError(415);
  const body = await readBody(req, MAX_FORM_BYTES);
  if (body === null) throw new FormError(413);
  const form = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
    if (form.has(k)) throw new FormError(400);
    form.set(k, v);
  }
  return form;
}

export function send(res: ServerResponse, status: number, html: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(303, { ...SECURITY_HEADERS, location, ...headers });
  res.end();
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
