import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:https';
import { ConfigError, createLogger, DataDirError, describeConfig, endLogger, loadConfig } from '@twofold/platform';
import { AppModule } from './app.module';
import { startNode } from './node/node-runtime';
import { jsonBodyParsing } from './http/body-parsing';
import { NestPinoLogger } from './http/nest-pino-logger';
import { writeForwarding } from './http/write-forwarding';
import { HttpsCertificateError, loadHttpsIdentity, peerHttpsCa } from './http/https-certificate';
import { guardHttpsServer, httpsServerOptions } from './http/https-server';
import { securityHeaders } from './http/security-headers';
import { startRadiusOrExit } from './radius/radius-service';
import { startAuthentication } from './node/authentication';
import { hasErrorCode } from '@twofold/domain';

async function main(): Promise<void> {
  // Everything this process creates (database, WAL, keys, deliveries) is for its owner only.
  process.umask(0o077);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`twofold: configuration error: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, nodeName: config.nodeName });
  logger.info({ config: describeConfig(config) }, 'starting');

  let runtime;
  try {
    runtime = await startNode(config, logger);
  } catch (err) {
    const message = err instanceof DataDirError || hasErrorCode(err) ? (err as Error).message : String(err);
    logger.fatal({ err: message }, 'could not start');
    process.stderr.write(`twofold: could not start: ${message}\n`);
    await endLogger(logger);
    process.exit(1);
  }

  let httpsIdentity;
  try {
    httpsIdentity = loadHttpsIdentity(config, runtime.dataDir);
    peerHttpsCa(config, runtime.dataDir);
  } catch (err) {
    if (!(err instanceof HttpsCertificateError)) throw err;
    logger.fatal(err.message);
    process.stderr.write(`twofold: configuration error: ${err.message}\n`);
    await runtime.close();
    await endLogger(logger);
    process.exit(78);
  }
  logger.info({ source: httpsIdentity.source, subject: httpsIdentity.subject, validTo: httpsIdentity.validTo }, 'https certificate');
  // One authentication engine per node, for RADIUS and the SDK alike: built before the transports.
  const authentication = await startAuthentication(runtime);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(runtime, authentication), new ExpressAdapter(), {
    httpsOptions: httpsServerOptions(runtime, httpsIdentity),
    bodyParser: false,
    logger: new NestPinoLogger(logger),
  });
  guardHttpsServer(app.getHttpServer() as Server, runtime);
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(writeForwarding(runtime));
  app.use(...jsonBodyParsing(config.http.maxBodyBytes));
  try {
    await app.listen(config.http.port, config.http.bindAddress);
  } catch (err) {
    const message = `cannot listen on ${config.http.bindAddress}:${config.http.port} (TWOFOLD_HTTP_PORT): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    logger.fatal(message);
    process.stderr.write(`twofold: ${message}\n`);
    authentication.close();
    await runtime.close();
    await endLogger(logger);
    process.exit(1);
  }
  const radius = await startRadiusOrExit(runtime, authentication, () => app.close());
  try {
    await runtime.replication.start();
  } catch (err) {
    const message = `cannot start replication on ${config.replication.bindAddress}:${config.replication.port} (TWOFOLD_REPLICATION_PORT): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    logger.fatal(message);
    process.stderr.write(`twofold: ${message}\n`);
    await radius?.close();
    await app.close();
    await runtime.close();
    await endLogger(logger);
    process.exit(1);
  }
  const server = app.getHttpServer() as Server;
  server.headersTimeout = 15_000;
  server.requestTimeout = 30_000;
  logger.info({ https: `${config.http.bindAddress}:${config.http.port}`, nodeId: runtime.dataDir.identity.nodeId, role: runtime.role.role, epoch: runtime.role.epoch }, 'listening');

  if (runtime.firstAdminToken) {
    // Shown once, on the console only: it never goes into the structured log.
    process.stderr.write(
      `\n  First administrator created. Save this credential now; it is shown only once:\n\n` +
      `    TWOFOLD_ADMIN_TOKEN=${runtime.firstAdminToken}\n\n`,
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    const force = setTimeout(() => {
      logger.warn('grace period over, closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
    server.closeIdleConnections();
    await radius?.close();
    authentication.close();
    await app.close();
    await runtime.close();
    clearTimeout(force);
    logger.info('stopped');
    await endLogger(logger);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

void main();
