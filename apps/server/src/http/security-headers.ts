import type { NextFunction, Request, Response } from 'express';

// Every answer of this port is HTTPS-only, and API answers carry credentials, seeds, QR codes and
// challenge state: no browser or proxy may keep them.
export function securityHeaders() {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    next();
  };
}
