import { createServer } from 'node:https';
import { createLogger, endLogger } from '@twofold/platform';
import { describePortalConfig, loadPortalConfig, PortalConfig, PortalConfigError } from './config/portal-config';
import { PortalApp } from './portal-app';
import { SdkPool } from './sdk/sdk-pool';
import { SessionSealer } from './session/sealed-session';

// The User Portal: HTTPS pages over the SDK. No database, no cluster key; its one credential is an
// SDK credential, and its sessions live in sealed cookies, so any number of instances can run.
function main(): void {
  process.umask(0o077);
  let config: PortalConfig;
  try {
    config = loadPortalConfig();
  } catch (err) {
    if (err instanceof PortalConfigError) {
      process.stderr.write(`twofold-portal: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, nodeName: config.instanceName });
  logger.info({ config: describePortalConfig(config) }, 'starting');
  const sdk = new SdkPool(config.sdkUrls, { ...(config.sdkCa ? { ca: config.sdkCa } : {}), token: config.sdkCredential, timeoutMs: config.sdkTimeoutMs },
    (from, reason) => logger.warn({ sdkUrl: from, reason }, 'SDK node failed; trying the next'));
  const app = new PortalApp({ sdk, sealer: new SessionSealer(config.sessionKey, config.sessionTtlSeconds * 1000), logger, publicUrl: config.publicUrl });
  const server = createServer({
    cert: config.tls.certPem, key: config.tls.keyPem, minVersion: 'TLSv1.2',
    requestTimeout: 30_000, headersTimeout: 10_000, maxHeaderSize: 16 * 1024,
  }, (req, res) => void app.handle(req, res));
  server.on('tlsClientError', () => undefined);
  server.on('clientError', (_err, socket) => socket.destroy());
  server.listen(config.port, config.bind, () => logger.info({ url: `https://${config.bind}:${config.port}` }, 'listening'));
  const stop = () => {
    logger.info('stopping');
    server.close(() => {
      sdk.close();
      void endLogger(logger).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
