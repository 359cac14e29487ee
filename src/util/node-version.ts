// The oldest Node.js the operator runs on. Checked by the entry points before
// any dependency loads: an older Node fails inside undici with a stack trace
// that says nothing about the cause.
export const MINIMUM_NODE = { major: 22, minor: 19 } as const;

/** One line saying what to do when `version` (process.versions.node) is too old; undefined when it is fine. */
export function nodeVersionProblem(version: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  const { major: needMajor, minor: needMinor } = MINIMUM_NODE;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `atom-operator: Node.js ${version} is too old; it needs Node.js ${needMajor}.${needMinor} or newer (24 recommended): use \`make run\` or \`npm start\`, which run the Node 24 that the \`node\` devDependency installs into node_modules/.bin, or install Node.js 24`;
}
