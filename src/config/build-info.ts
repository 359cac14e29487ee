// Version and commit of this build, for --version and atom_operator_build_info.
// `npm run build` (hack/build.ts) writes both into the bundle with esbuild's
// `define` (the image passes VERSION and COMMIT as build args); run from source,
// the version comes from package.json and the commit is unknown.
import { readFileSync } from 'node:fs';

declare const __ATOM_OPERATOR_VERSION__: string | undefined;
declare const __ATOM_OPERATOR_COMMIT__: string | undefined;

export interface BuildStamp {
  readonly version: string;
  readonly commit: string;
}

function versionFromPackageJson(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'dev';
  } catch {
    return 'dev';
  }
}

export function buildStamp(): BuildStamp {
  return {
    version: typeof __ATOM_OPERATOR_VERSION__ === 'string' ? __ATOM_OPERATOR_VERSION__ : versionFromPackageJson(),
    commit: typeof __ATOM_OPERATOR_COMMIT__ === 'string' ? __ATOM_OPERATOR_COMMIT__ : 'unknown',
  };
}
