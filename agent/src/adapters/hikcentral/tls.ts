import type { TLSSocket } from "node:tls";
import { Agent, buildConnector, type Dispatcher } from "undici";

export interface HikTlsOptions {
  /** PEM of a CA, or of HikCentral's self-signed certificate itself. */
  ca?: string;
  /** SHA-256 fingerprint of the one certificate to accept (hex, colons optional). */
  fingerprint256?: string;
  /** Accept any certificate. Only for a lab: anyone on the path can then read the app secret's signatures and the guests' data. */
  insecureSkipVerify?: boolean;
}

export const normaliseFingerprint = (f: string) => f.replace(/[^0-9a-f]/gi, "").toUpperCase();

/**
 * How the agent trusts HikCentral, which usually has a self-signed certificate: a CA file, or a pinned
 * fingerprint (the chain is not checked, the exact certificate is), or, only when the config says in
 * those words that it is unsafe, nothing at all.
 */
export function hikcentralDispatcher(o: HikTlsOptions): Dispatcher | undefined {
  if (o.fingerprint256) {
    const want = normaliseFingerprint(o.fingerprint256);
    // No TLS session resumption: a resumed session shows no peer certificate to check against the pin
    // (every second connection would fail, as a terminal's after its 401 challenge did).
    const base = buildConnector({
      rejectUnauthorized: false,
      maxCachedSessions: 0,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    return new Agent({
      connect: (opts, callback) =>
        base(opts, (err, socket) => {
          if (err || !socket) return callback(err ?? new Error("no socket"), null);
          const got = (socket as TLSSocket).getPeerCertificate?.()?.fingerprint256;
          if (!got || normaliseFingerprint(got) !== want) {
            socket.destroy();
            const e = Object.assign(
              new Error(`HikCentral's certificate (sha256 ${got ?? "none"}) is not the pinned one`),
              {
                code: "ERR_TLS_CERT_PIN_MISMATCH",
              },
            );
            return callback(e, null);
          }
          callback(null, socket);
        }),
    });
  }
  if (o.insecureSkipVerify) return new Agent({ connect: { rejectUnauthorized: false } });
  if (o.ca) return new Agent({ connect: { ca: o.ca } });
  return undefined;
}
