// A stand-in for the Atom agent, for the kind end-to-end test only: it does what the
// real agent does on the network (HTTPS out to its platform on 443 with its
// registration certificate) and reports Ready once the platform has answered.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

const certDir = process.env.ATOM_REGISTRATION_CERT_DIR ?? '/etc/atom/registration';
const caFile = process.env.PLATFORM_CA_FILE ?? '/etc/atom/platform-ca/ca.crt';
const url = new URL('/atom/v1/releases/stable', process.env.URL ?? 'https://platform.invalid');
const marker = '/tmp/connected';

function readOptional(path) {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

function poll() {
  const req = request(
    url,
    {
      cert: readFileSync(join(certDir, 'tls.crt')),
      key: readFileSync(join(certDir, 'tls.key')),
      ca: readOptional(caFile) ?? readOptional(join(certDir, 'ca.crt')),
      minVersion: 'TLSv1.2',
      timeout: 5000,
    },
    (res) => {
      res.resume();
      console.log(`platform answered ${res.statusCode}`);
      writeFileSync(marker, String(Math.floor(Date.now() / 1000)));
    },
  );
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (err) => {
    console.log(`platform unreachable: ${err.message}`);
    rmSync(marker, { force: true });
  });
  req.end();
}

poll();
const timer = setInterval(poll, 10_000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  process.exit(0);
});
