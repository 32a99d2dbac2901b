import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";

export interface SimCertificate {
  key: string;
  cert: string;
  /** SHA-256 fingerprint as Node and browsers print it (AA:BB:...). */
  fingerprint256: string;
}

/** A self-signed certificate like the one HikCentral ships, for `host` (a name or an IP). */
export async function selfSignedCertificate(host: string): Promise<SimCertificate> {
  const isIp = /^[\d.]+$/.test(host) || host.includes(":");
  const pems = await generate([{ name: "commonName", value: host }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notAfterDate: new Date(Date.now() + 365 * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      {
        name: "subjectAltName",
        altNames: [isIp ? { type: 7, ip: host } : { type: 2, value: host }, { type: 2, value: "localhost" }],
      },
    ],
  });
  return {
    key: pems.private,
    cert: pems.cert,
    fingerprint256: new X509Certificate(pems.cert).fingerprint256,
  };
}
