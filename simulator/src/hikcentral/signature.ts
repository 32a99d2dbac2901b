import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/**
 * HikCentral's API gateway ("Artemis", an Alibaba API gateway descendant) checks the AK/SK signature.
 * This is the simulator's own implementation of the server side, written from the protocol notes and
 * the official example vector, deliberately independent of the agent's signer.
 */

export interface SignedRequest {
  method: string;
  /** Raw request path as received, including `/artemis`. */
  path: string;
  /** Decoded query parameters. */
  query: URLSearchParams;
  /** Header lookup by lower-case name. */
  header: (name: string) => string | undefined;
  body: Uint8Array;
}

export type SignatureCheck =
  | { ok: true; appKey: string | undefined; stringToSign: string }
  | {
      ok: false;
      reason: "missing_signature" | "unknown_key" | "bad_signature" | "bad_content_md5";
      message: string;
    };

/** Headers the gateway never takes from X-Ca-Signature-Headers (they have lines of their own or are the signature). */
const NOT_SIGNED_AS_HEADERS = new Set([
  "x-ca-signature",
  "x-ca-signature-headers",
  "accept",
  "content-md5",
  "content-type",
  "date",
]);

export function stringToSign(req: SignedRequest, extraParams: [string, string][] = []): string {
  const lines: string[] = [req.method.toUpperCase()];
  for (const name of ["accept", "content-md5", "content-type", "date"]) {
    const v = req.header(name);
    if (v !== undefined) lines.push(v);
  }
  const listed = (req.header("x-ca-signature-headers") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0 && !NOT_SIGNED_AS_HEADERS.has(s));
  // Java's TreeMap order: plain ordinal comparison of the names.
  const names = [...new Set(listed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) lines.push(`${name}:${req.header(name) ?? ""}`);

  const params: [string, string][] = [...req.query.entries(), ...extraParams];
  params.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const query = params.map(([k, v]) => (v === "" ? k : `${k}=${v}`)).join("&");
  lines.push(query ? `${req.path}?${query}` : req.path);
  return lines.join("\n");
}

export function verifySignature(
  req: SignedRequest,
  secretFor: (appKey: string) => string | undefined,
): SignatureCheck {
  const signature = req.header("x-ca-signature");
  const appKey = req.header("x-ca-key");
  if (!signature) return { ok: false, reason: "missing_signature", message: "Missing X-Ca-Signature" };
  if (!appKey) return { ok: false, reason: "unknown_key", message: "Missing X-Ca-Key" };
  const secret = secretFor(appKey);
  if (secret === undefined) return { ok: false, reason: "unknown_key", message: "Invalid AppKey" };

  const md5 = req.header("content-md5");
  if (md5 !== undefined) {
    const actual = createHash("md5").update(req.body).digest("base64");
    if (actual !== md5) return { ok: false, reason: "bad_content_md5", message: "Invalid Content-MD5" };
  }

  // Form bodies take part in the string to sign, as the SDK merges them with the query.
  const ct = req.header("content-type") ?? "";
  const formParams: [string, string][] = ct.toLowerCase().startsWith("application/x-www-form-urlencoded")
    ? [...new URLSearchParams(Buffer.from(req.body).toString("utf8")).entries()]
    : [];
  const sts = stringToSign(req, formParams);
  // Compared as text: decoding base64 first would accept variants that differ only in padding bits.
  const expected = Buffer.from(
    createHmac("sha256", Buffer.from(secret, "utf8")).update(sts, "utf8").digest("base64"),
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad_signature", message: "Invalid Signature" };
  }
  return { ok: true, appKey, stringToSign: sts };
}
