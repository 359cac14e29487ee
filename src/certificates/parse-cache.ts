// Parsing a registration certificate and its private key (X509, key import, key match) is the
// costly part of inspecting it, and its result depends only on the bytes: remember it by content
// hash, so a fleet's periodic reconciles parse each certificate once, not on every pass. Bounded
// (least recently used goes first) so certificates rotated away do not pile up; expiry is not
// remembered here but judged against the clock on every inspection.

/** What the bytes alone say; messages and the time-dependent verdict are made by the caller. */
export type ParsedRegistration =
  | { kind: 'MissingKey'; missing: readonly string[] }
  | { kind: 'MalformedCertificate' }
  | { kind: 'MalformedKey'; facts: CertificateFacts }
  | { kind: 'KeyMismatch'; facts: CertificateFacts }
  | { kind: 'MalformedCA'; facts: CertificateFacts }
  | { kind: 'Parsed'; facts: CertificateFacts };

export interface CertificateFacts {
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  fingerprintSHA256: string;
}

/** Enough for a fleet of ten thousand Atoms with a certificate each, at a few hundred bytes an entry. */
export const DEFAULT_PARSE_CACHE_SIZE = 16_384;

export class ParseCache {
  readonly #max: number;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly #entries = new Map<string, ParsedRegistration>();
  #parses = 0;
  #hits = 0;

  constructor(max = DEFAULT_PARSE_CACHE_SIZE) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`invalid parse cache size ${max}`);
    this.#max = max;
  }

  /** The parse of `contentHash`, computed by `parse` only when not remembered. */
  get(contentHash: string, parse: () => ParsedRegistration): ParsedRegistration {
    const known = this.#entries.get(contentHash);
    if (known) {
      this.#hits += 1;
      this.#entries.delete(contentHash);
      this.#entries.set(contentHash, known);
      return known;
    }
    this.#parses += 1;
    const parsed = parse();
    this.#entries.set(contentHash, parsed);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return parsed;
  }

  get stats(): { size: number; parses: number; hits: number } {
    return { size: this.#entries.size, parses: this.#parses, hits: this.#hits };
  }
}
