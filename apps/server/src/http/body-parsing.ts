import express, { NextFunction, Request, Response } from 'express';

function problem(res: Response, status: number, code: string, detail: string): void {
  res.status(status).type('application/problem+json').json({ type: `urn:twofold:error:${code}`, title: code, status, code, detail });
}

// JSON bodies only, with a size limit; a bad body is a clear 4xx, never a 500 or a hang.
export function jsonBodyParsing(maxBytes: number) {
  const parse = express.json({ limit: maxBytes, strict: false, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
      if (!hasBody) return next();
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
        return problem(res, 415, 'unsupported_media_type', 'request bodies must be application/json');
      }
      return parse(req, res, next);
    },
    (err: { type?: string; status?: number }, _req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') return problem(res, 413, 'payload_too_large', `request body is larger than ${maxBytes} bytes`);
      if (err?.type === 'entity.parse.failed') return problem(res, 400, 'invalid_json', 'request body is not valid JSON');
      if (err?.status && err.status < 500) return problem(res, err.status, 'invalid_request', 'request body could not be read');
      return next(err);
    },
  ];
}
