import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/server-process';

export const DEVICE_BIN = join(REPO_ROOT, 'bin/twofold-device.js');

export interface DeviceCliResult { code: number | null; stdout: string; stderr: string; json<T = any>(): T }

// `twofold-device ...` as a real child process (the phone), with its key file.
export function twofoldDevice(keyFile: string, args: string[]): Promise<DeviceCliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEVICE_BIN, '--key-file', keyFile, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) }));
  });
}

// The SHA-256 of a portal's self-signed certificate, for --fingerprint.
export function portalFingerprint(portalDataDir: string): string {
  return new X509Certificate(readFileSync(join(portalDataDir, 'tls/portal.pem'))).fingerprint256;
}
