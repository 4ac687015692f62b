import type { Response } from 'express';

// The stream version travels as a strong ETag, so `If-Match` can guard the next edit.
export function withEtag<T extends { version?: number }>(res: Response, body: T): T {
  if (typeof body?.version === 'number') res.setHeader('ETag', `"${body.version}"`);
  return body;
}
