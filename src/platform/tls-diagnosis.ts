// Turns low-level TLS failures into a kind a person can act on. OpenSSL and Node report them
// as codes; some servers (Node's own among them) just close the connection when they refuse
// our client certificate, which looks like a network drop, so a bare handshake probe tells
// the two apart.
import { connect, type ConnectionOptions } from 'node:tls';
import type { TLSFailureKind } from './errors.js';

const serverUntrusted = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
]);

const serverInvalid = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const protocolVersion = new Set([
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY',
  'ERR_SSL_NO_SHARED_CIPHER',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE_VERSION',
]);

// Alerts a server sends about the certificate we presented (or did not present).
const clientRejected = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
  'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  // A TLS 1.2 server that requires a certificate and got none answers with a generic handshake failure.
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
]);

const explanations: Record<TLSFailureKind, string> = {
  ServerCertificateUntrusted:
    "the platform's server certificate is not signed by a trusted CA; set the platform CA (caSecretRef) if the platform uses a private CA",
  ServerCertificateInvalid:
    "the platform's server certificate is expired, not yet valid or issued for another host name",
  ProtocolVersion: 'the platform does not speak TLS 1.2 or newer (or no common cipher); older protocols are refused',
  ClientCertificateRejected: 'the platform refused our client (registration) certificate',
  Other: 'the TLS handshake failed for an unrecognised reason',
};

export function explainTLSFailure(kind: TLSFailureKind): string {
  return explanations[kind];
}

/** The kind of TLS failure an error code stands for, or undefined when it is not a TLS failure. */
export function classifyTLSCode(code: string | undefined): TLSFailureKind | undefined {
  if (!code) return undefined;
  if (serverUntrusted.has(code)) return 'ServerCertificateUntrusted';
  if (serverInvalid.has(code)) return 'ServerCertificateInvalid';
  if (protocolVersion.has(code)) return 'ProtocolVersion';
  if (clientRejected.has(code)) return 'ClientCertificateRejected';
  if (code.startsWith('ERR_SSL_')) return 'Other';
  return undefined;
}

export type ProbeOutcome =
  | { kind: 'tls-failure'; failure: TLSFailureKind; code: string | undefined }
  | { kind: 'healthy' }
  | { kind: 'unreachable'; code: string | undefined };

/**
 * Opens one bare TLS connection with the same settings and sends nothing. A server that accepts
 * the client certificate keeps an idle connection open; one that refuses it alerts or closes at
 * once. Closing during or right after the handshake, having presented a certificate, is read
 * as a refusal of that certificate.
 */
export function probeHandshake(options: ConnectionOptions, waitMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let secured = false;
    let settled = false;
    const socket = connect(options);
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(
      () => finish(secured ? { kind: 'healthy' } : { kind: 'unreachable', code: 'ETIMEDOUT' }),
      waitMs,
    );
    socket.on('secureConnect', () => {
      secured = true;
    });
    socket.on('data', () => finish({ kind: 'healthy' }));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const failure = classifyTLSCode(error.code);
      if (failure) finish({ kind: 'tls-failure', failure, code: error.code });
      else if ((error.code === 'ECONNRESET' && options.cert) || secured)
        finish({ kind: 'tls-failure', failure: 'ClientCertificateRejected', code: error.code });
      else finish({ kind: 'unreachable', code: error.code });
    });
    socket.on('close', () =>
      finish(
        secured || options.cert
          ? {
              kind: 'tls-failure',
              failure: 'ClientCertificateRejected',
              code: secured ? 'closed right after the handshake' : 'closed during the handshake',
            }
          : { kind: 'unreachable', code: undefined },
      ),
    );
  });
}
