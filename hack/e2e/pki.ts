// Writes the key material the kind end-to-end test needs into one directory:
// a CA for the platform simulator, its server certificate, one registration
// (client) certificate per Atom, and the ed25519 pair that signs releases.
// Usage: npx tsx hack/e2e/pki.ts OUT_DIR PLATFORM_HOSTNAME ATOM_NAME...
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createCertificateAuthority } from '../../src/sandbox/pki.js';

export interface E2EMaterial {
  files: Record<string, string>;
}

/** Every file by name; the platform certificate is valid for the Service's DNS names. */
export async function e2eMaterial(platformHostname: string, atoms: string[]): Promise<E2EMaterial> {
  const ca = await createCertificateAuthority('atom-e2e-platform-ca', 30);
  const [service, namespace] = platformHostname.split('.');
  const hosts = [
    platformHostname,
    ...(service && namespace ? [service, `${service}.${namespace}`, `${service}.${namespace}.svc.cluster.local`] : []),
  ];
  const server = await ca.issue({ commonName: platformHostname, hosts, usage: 'server' });
  const files: Record<string, string> = {
    'ca.crt': ca.cert,
    'platform.crt': server.cert,
    'platform.key': server.key,
  };
  for (const atom of atoms) {
    const client = await ca.issue({ commonName: atom, usage: 'client' });
    files[`${atom}.crt`] = client.cert;
    files[`${atom}.key`] = client.key;
  }
  const release = generateKeyPairSync('ed25519');
  files['release-public.pem'] = release.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  files['release-private.pem'] = release.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { files };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [out, hostname, ...atoms] = process.argv.slice(2);
  if (!out || !hostname || atoms.length === 0) {
    console.error('usage: npx tsx hack/e2e/pki.ts OUT_DIR PLATFORM_HOSTNAME ATOM_NAME...');
    process.exit(2);
  }
  const { files } = await e2eMaterial(hostname, atoms);
  mkdirSync(out, { recursive: true, mode: 0o700 });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(out, name), content, { mode: 0o600 });
  console.log(`wrote ${Object.keys(files).length} files to ${out}`);
}
