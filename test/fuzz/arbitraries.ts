// fast-check generators for the operator's inputs: Atom specs (mostly plausible,
// with weird but schema-valid corners and outright garbage), registration Secrets
// (real, mismatched, garbage PEM, binary, missing keys) and platform advertisements
// (signed, forged, wrong types, huge strings, bad digests).
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { signAdvertisement } from '../../src/platform/advertisement.js';

/** Sometimes the plausible value, sometimes anything at all. */
const orGarbage = <T>(arb: fc.Arbitrary<T>, garbageWeight = 1): fc.Arbitrary<unknown> =>
  fc.oneof(
    { arbitrary: arb, weight: 40 },
    { arbitrary: fc.anything({ maxDepth: 2 }), weight: Math.round(garbageWeight * 5) },
  );

const weirdString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${HOME} is one of the hostile inputs
  fc.constantFrom('', ' ', '\u0000', '../../etc', '${HOME}', 'a'.repeat(300), '💥', '\n\t'),
);
const dnsName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const quantity = fc.oneof(
  fc.constantFrom('1Gi', '10Gi', '0', '1', '500m', '1e3', '0.5Gi', '999Ei', '1.5', '+1Ki'),
  fc.integer({ min: 0, max: 1e12 }),
  weirdString,
);
const version = fc.oneof(
  fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
  fc.constantFrom('24.11.0', '1.2.3-rc.1+build', 'latest', 'v1', ''),
  weirdString,
);
const digest = fc.oneof(
  fc.stringMatching(/^sha256:[a-f0-9]{64}$/),
  fc.constantFrom('sha256:', 'sha512:abc', 'md5:00'),
  weirdString,
);
const cidr = fc.oneof(
  fc.constantFrom(
    '0.0.0.0/0',
    '::/0',
    '10.0.0.0/8',
    '192.168.1.1/32',
    'fe80::/10',
    '300.1.1.1/8',
    '10.0.0.0/33',
    '1.2.3.4',
  ),
  weirdString,
);
const stringMap = fc.dictionary(fc.oneof(dnsName, weirdString), fc.oneof(dnsName, weirdString), { maxKeys: 4 });
const window = fc.record(
  {
    days: fc.array(fc.oneof(fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'), weirdString), {
      maxLength: 8,
    }),
    start: fc.oneof(fc.constantFrom('00:00', '23:59', '02:30', '24:00', '9:00'), weirdString),
    duration: fc.oneof(fc.constantFrom('4h', '90m', '168h', '169h', '0s', '1h30m', '-1h', '1d'), weirdString),
    timeZone: fc.oneof(
      fc.constantFrom('UTC', 'Europe/Berlin', 'America/St_Johns', 'Asia/Kathmandu', 'Mars/Olympus', 'Etc/GMT+14'),
      weirdString,
    ),
  },
  { requiredKeys: ['days', 'start', 'duration'] },
);

export const atomSpecArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    image: orGarbage(
      fc.record(
        {
          repository: fc.oneof(
            fc.constantFrom('boomi/atom', 'registry.example.com:5000/team/atom', 'a', 'UPPER/case', 'x//y'),
            weirdString,
          ),
          tag: fc.oneof(fc.constantFrom('latest', '5.0.1', '-bad', 'a'.repeat(129)), weirdString),
          digest,
          pullPolicy: fc.oneof(fc.constantFrom('IfNotPresent', 'Always', 'Never', 'Sometimes')),
          pullSecrets: fc.array(fc.record({ name: fc.oneof(dnsName, weirdString) }), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
    ),
    version,
    platform: orGarbage(
      fc.record(
        {
          url: fc.oneof(
            fc.constantFrom(
              'https://platform.example.com',
              'https://[::1]:8443/base',
              'http://plain.example.com',
              'https://x?y=1',
              'ftp://a',
            ),
            fc.webUrl(),
            weirdString,
          ),
          accountId: fc.oneof(
            fc.string({ minLength: 1, maxLength: 40 }),
            fc.constant('a'.repeat(200)),
            fc.constant(''),
          ),
          caSecretRef: fc.record(
            {
              name: fc.oneof(dnsName, weirdString),
              key: fc.oneof(fc.constantFrom('ca.crt', 'bundle.pem'), weirdString),
            },
            { requiredKeys: ['name'] },
          ),
        },
        { requiredKeys: ['accountId'] },
      ),
      0.2,
    ),
    registration: orGarbage(
      fc.record(
        {
          certificateSecretRef: fc.record({ name: fc.oneof(dnsName, weirdString) }),
          installTokenSecretRef: fc.record(
            { name: fc.oneof(dnsName, weirdString), key: fc.oneof(fc.constant('token'), weirdString) },
            { requiredKeys: ['name'] },
          ),
        },
        { requiredKeys: ['certificateSecretRef'] },
      ),
      0.2,
    ),
    storage: orGarbage(
      fc.record(
        {
          size: quantity,
          storageClassName: fc.oneof(dnsName, weirdString),
          accessMode: fc.constantFrom('ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany', 'ReadOnlyMany'),
          deleteClaimOnAtomDeletion: fc.boolean(),
          emptyDir: fc.record({ sizeLimit: quantity }, { requiredKeys: [] }),
        },
        { requiredKeys: [] },
      ),
    ),
    update: orGarbage(
      fc.record(
        {
          mode: fc.constantFrom('Automatic', 'Manual', 'Disabled', 'Sometimes'),
          channel: fc.oneof(fc.constantFrom('stable', 'beta', 'a', 'Stable', '-x', 'a'.repeat(64)), dnsName),
          windows: fc.array(window, { maxLength: 3 }),
          allowCriticalOutsideWindow: fc.boolean(),
          wave: fc.oneof(fc.integer({ min: -2, max: 102 }), fc.double()),
          progressDeadlineSeconds: fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constant(1.5)),
        },
        { requiredKeys: [] },
      ),
    ),
    networkPolicy: orGarbage(
      fc.record(
        {
          enabled: fc.boolean(),
          egressCIDRs: fc.array(cidr, { maxLength: 4 }),
          allowDNS: fc.boolean(),
          proxy: fc.record({ cidr, port: fc.integer({ min: -1, max: 70_000 }) }),
        },
        { requiredKeys: [] },
      ),
    ),
    pod: orGarbage(
      fc.record(
        {
          resources: fc.record(
            {
              requests: fc.dictionary(
                fc.constantFrom('cpu', 'memory', 'ephemeral-storage', 'nvidia.com/gpu'),
                quantity,
              ),
              limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), quantity),
            },
            { requiredKeys: [] },
          ),
          env: fc.array(
            fc.record(
              {
                name: fc.oneof(fc.constantFrom('ATOM_NAME', 'JAVA_OPTS', 'X', '1BAD', 'a.b-c'), weirdString),
                value: weirdString,
              },
              { requiredKeys: ['name'] },
            ),
            { maxLength: 4 },
          ),
          nodeSelector: stringMap,
          tolerations: fc.array(
            fc.record(
              {
                key: weirdString,
                operator: fc.constantFrom('Exists', 'Equal', 'Like'),
                value: weirdString,
                effect: fc.constantFrom('NoSchedule', 'NoExecute', 'Maybe'),
                tolerationSeconds: fc.integer(),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
          affinity: fc.oneof(
            fc.constant({}),
            fc.constant({
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
                },
              },
            }),
          ),
          priorityClassName: fc.oneof(dnsName, weirdString),
          labels: stringMap,
          annotations: stringMap,
          terminationGracePeriodSeconds: fc.oneof(fc.integer({ min: -1, max: 4000 })),
          serviceAccountName: fc.oneof(dnsName, weirdString),
        },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: ['platform', 'registration'] },
);

/** An Atom object around a spec, as a user would send it. */
export const atomArb = (namespace = 'default') =>
  fc
    .record({
      name: fc.oneof(dnsName, fc.constant('a'.repeat(63)), fc.constant(`x${'.y'.repeat(40)}`)),
      spec: atomSpecArb,
    })
    .map(({ name, spec }) => ({
      apiVersion: 'atomoperator.io/v1alpha1',
      kind: 'Atom',
      metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
      spec,
    }));

/** A small pool of real PEM material, so valid and mismatched pairs appear among the garbage. */
export interface PemPool {
  cert: string;
  key: string;
  ca: string;
  otherKey: string;
}

const pemBlock = (label: string, body: fc.Arbitrary<string>) =>
  body.map((b) => `-----BEGIN ${label}-----\n${b}\n-----END ${label}-----\n`);
const base64ish = fc.oneof(fc.base64String({ maxLength: 200 }), fc.string({ maxLength: 80 }));

const secretValue = (pool: PemPool, real: keyof PemPool) =>
  fc.oneof(
    { arbitrary: fc.constant(Buffer.from(pool[real])), weight: 4 },
    fc.constantFrom(...(['cert', 'key', 'ca', 'otherKey'] as const).map((k) => Buffer.from(pool[k]))),
    pemBlock('CERTIFICATE', base64ish).map((s) => Buffer.from(s)),
    pemBlock('PRIVATE KEY', base64ish).map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
    fc.constant(Buffer.alloc(0)),
    fc.constant(Buffer.from(pool[real].slice(0, Math.floor(pool[real].length / 2)))),
  );

/** The decoded data of a registration Secret: each key real, swapped, garbage, binary, truncated or missing. */
export const secretDataArb = (pool: PemPool) =>
  fc.record(
    {
      'tls.crt': secretValue(pool, 'cert'),
      'tls.key': secretValue(pool, 'key'),
      'ca.crt': secretValue(pool, 'ca'),
      extra: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b)),
    },
    { requiredKeys: [] },
  );

export const forgerKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** A raw advertisement body and how it was made; `trusted` is true only for an untouched, correctly signed, well-formed one. */
export const advertisementArb = (channel: string, repository: string, signingKeyPem: string) =>
  fc
    .record({
      fields: fc.record(
        {
          channel: fc.oneof({ arbitrary: fc.constant(channel), weight: 6 }, fc.constant('other'), fc.integer()),
          version: fc.oneof({ arbitrary: version, weight: 4 }, fc.integer(), fc.constant(null)),
          image: fc.oneof(
            { arbitrary: fc.constant(repository), weight: 6 },
            fc.constant('evil.example.com/atom'),
            fc.constant(`${repository}:tag`),
            fc.constant({}),
          ),
          digest: fc.oneof({ arbitrary: digest, weight: 3 }, fc.constant(null), fc.constant(['sha256:x'])),
          publishedAt: fc.oneof(fc.constant('2026-11-20T00:00:00Z'), fc.constant('yesterday'), fc.integer()),
          critical: fc.oneof(fc.boolean(), fc.constant('yes')),
          notes: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('n'.repeat(200_000))),
          extra: fc.anything({ maxDepth: 1 }),
        },
        { requiredKeys: ['channel', 'version', 'image'] },
      ),
      signing: fc.constantFrom('trusted', 'forged', 'none', 'garbage', 'tampered'),
      framing: fc.constantFrom('json', 'json', 'json', 'truncated', 'not-json', 'array', 'huge'),
    })
    .map(({ fields, signing, framing }) => {
      let ad: Record<string, unknown> = { ...fields };
      if (signing === 'trusted' || signing === 'tampered') ad = signAdvertisement(ad, signingKeyPem);
      if (signing === 'forged') ad = signAdvertisement(ad, forgerKey);
      if (signing === 'garbage') ad.signature = '!!not base64!!';
      if (signing === 'tampered') ad.critical = ad.critical !== true;
      const json = JSON.stringify(ad);
      const body =
        framing === 'truncated'
          ? json.slice(0, Math.floor(json.length / 2))
          : framing === 'not-json'
            ? `<html>${json}</html>`
            : framing === 'array'
              ? `[${json}]`
              : framing === 'huge'
                ? JSON.stringify({ ...ad, padding: 'p'.repeat(2_000_000) })
                : json;
      return { ad, body, signing, framing };
    });

// --- Atoms the API server accepts, at their weird corners -----------------------

const validQuantity = fc.oneof(
  fc.constantFrom('1Gi', '0', '1', '500m', '1e3', '0.5Gi', '999Ei', '1.5', '+1Ki', '10Gi'),
  fc.integer({ min: 0, max: 2 ** 31 }),
);
const anyText = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }),
  fc.constantFrom('💥', 'a b', '../x', '$(HOME)'),
);
const validCidr = fc.constantFrom('0.0.0.0/0', '::/0', '10.0.0.0/8', '192.168.1.1/32', 'fe80::/10', '100.64.0.0/10');
const validWindow = fc.record(
  {
    days: fc.uniqueArray(fc.constantFrom('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'), {
      minLength: 1,
      maxLength: 7,
    }),
    start: fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
    duration: fc.constantFrom('1m', '4h', '90m', '168h', '1h30m', '2h0m0s'),
    timeZone: fc.constantFrom(
      'UTC',
      'Europe/Berlin',
      'America/St_Johns',
      'Asia/Kathmandu',
      'Pacific/Chatham',
      'Etc/GMT+12',
      'Australia/Lord_Howe',
    ),
  },
  { requiredKeys: ['days', 'start', 'duration'] },
);

/** Names the API server accepts for a custom resource: DNS subdomains up to 253 characters. */
export const atomNameArb = fc.oneof(
  { arbitrary: dnsName, weight: 6 },
  fc.constant('a'.repeat(63)),
  fc.integer({ min: 58, max: 120 }).map((n) => `x${'y'.repeat(n - 1)}`),
  fc.constant(`a.${'b'.repeat(60)}.c`),
);

export const validAtomSpecArb: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      image: fc.record(
        {
          repository: fc.constantFrom('boomi/atom', 'registry.example.com:5000/team/atom', 'a', 'a.b-c/d_e'),
          tag: fc.constantFrom('latest', '5.0.1', 'A_b.c-d', 'x'.repeat(128)),
          digest: fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`),
          pullPolicy: fc.constantFrom('IfNotPresent', 'Always', 'Never'),
          pullSecrets: fc.array(fc.record({ name: dnsName }), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      ),
      pin: fc.option(
        fc.tuple(
          fc.tuple(fc.nat(99), fc.nat(99), fc.nat(99)).map(([a, b, c]) => `${a}.${b}.${c}`),
          fc.constantFrom('Manual', 'Disabled'),
        ),
        { nil: undefined },
      ),
      platform: fc.record(
        {
          url: fc.constantFrom(
            'https://platform.example.com',
            'https://[::1]:8443/base',
            'https://a',
            'https://p.example.com/x/y',
          ),
          accountId: fc.string({ minLength: 1, maxLength: 128 }),
          caSecretRef: fc.record(
            { name: dnsName, key: fc.constantFrom('ca.crt', 'bundle.pem', 'x') },
            { requiredKeys: ['name'] },
          ),
        },
        { requiredKeys: ['accountId'] },
      ),
      registration: fc.record(
        {
          certificateSecretRef: fc.record({ name: dnsName }),
          installTokenSecretRef: fc.record(
            { name: dnsName, key: fc.constantFrom('token', 'x.y') },
            { requiredKeys: ['name'] },
          ),
        },
        { requiredKeys: ['certificateSecretRef'] },
      ),
      storage: fc.oneof(
        fc.record(
          {
            size: validQuantity,
            storageClassName: anyText,
            accessMode: fc.constantFrom('ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteMany'),
            deleteClaimOnAtomDeletion: fc.boolean(),
          },
          { requiredKeys: [] },
        ),
        fc.record({ emptyDir: fc.record({ sizeLimit: validQuantity }, { requiredKeys: [] }) }),
      ),
      update: fc.record(
        {
          channel: fc.oneof(fc.constantFrom('stable', 'beta', 'a', 'a'.repeat(63)), dnsName),
          windows: fc.array(validWindow, { maxLength: 3 }),
          allowCriticalOutsideWindow: fc.boolean(),
          wave: fc.integer({ min: 0, max: 100 }),
          progressDeadlineSeconds: fc.integer({ min: 30, max: 86_400 }),
        },
        { requiredKeys: [] },
      ),
      networkPolicy: fc.oneof(
        fc.record(
          {
            enabled: fc.constant(true),
            egressCIDRs: fc.array(validCidr, { minLength: 1, maxLength: 4 }),
            allowDNS: fc.boolean(),
            proxy: fc.record({ cidr: validCidr, port: fc.integer({ min: 1, max: 65_535 }) }),
          },
          { requiredKeys: [] },
        ),
        fc.record({ enabled: fc.constant(false), allowDNS: fc.boolean() }),
      ),
      pod: fc.record(
        {
          // Requests above limits, fractional extended resources and repeated env names pass the
          // CRD but make the API server refuse the pod: the operator must say so in the status.
          resources: fc.record(
            {
              requests: fc.dictionary(fc.constantFrom('cpu', 'memory', 'nvidia.com/gpu'), validQuantity),
              limits: fc.dictionary(fc.constantFrom('cpu', 'memory'), validQuantity),
            },
            { requiredKeys: [] },
          ),
          env: fc.array(
            fc.record(
              {
                name: fc.constantFrom('ATOM_NAME', 'JAVA_OPTS', 'X', 'a.b-c', '_'),
                value: fc.string({ maxLength: 20 }),
              },
              { requiredKeys: ['name'] },
            ),
            { maxLength: 4 },
          ),
          nodeSelector: fc.dictionary(dnsName, dnsName, { maxKeys: 3 }),
          tolerations: fc.array(
            fc.record(
              {
                key: dnsName,
                operator: fc.constantFrom('Exists', 'Equal'),
                effect: fc.constantFrom('NoSchedule', 'NoExecute'),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 2 },
          ),
          priorityClassName: dnsName,
          labels: fc.dictionary(
            fc.oneof(dnsName, fc.constantFrom('example.com/team', 'app.kubernetes.io/name', 'atomoperator.io/atom')),
            fc.oneof(dnsName, fc.constant('')),
            { maxKeys: 3 },
          ),
          annotations: fc.dictionary(fc.oneof(dnsName, fc.constant('example.com/note')), fc.string({ maxLength: 40 }), {
            maxKeys: 3,
          }),
          terminationGracePeriodSeconds: fc.integer({ min: 0, max: 3_600 }),
          // A ServiceAccount that does not exist: the API server refuses the pod (ServiceAccount admission).
          serviceAccountName: dnsName,
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['platform', 'registration'] },
  )
  .map(({ pin, update, ...spec }) => ({
    ...spec,
    update: pin ? { ...update, mode: pin[1] } : update,
    ...(pin ? { version: pin[0] } : {}),
  }));

/** An Atom the API server accepts (before its own validation, which the properties still apply). */
export const validAtomArb = (namespace = 'default', names: fc.Arbitrary<string> = atomNameArb) =>
  fc.record({ name: names, spec: validAtomSpecArb }).map(({ name, spec }) => ({
    apiVersion: 'atomoperator.io/v1alpha1',
    kind: 'Atom',
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
    spec,
  }));
