import { createHash, createHmac, randomUUID } from "node:crypto";

/**
 * Signs a request as Hikvision's official artemis-http-client does: Accept, Content-MD5 (optional),
 * Content-Type and the x-ca-* headers, then the path. The caller must send exactly these headers and bytes.
 */
export interface SignInput {
  method: "POST" | "GET";
  /** Path including /artemis, without query. */
  path: string;
  body: Buffer;
  appKey: string;
  appSecret: string;
  accept: string;
  contentType: string;
  contentMd5: boolean;
  now?: number;
  nonce?: string;
}

export function signRequest(input: SignInput): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: input.accept,
    "Content-Type": input.contentType,
  };
  if (input.contentMd5) headers["Content-MD5"] = createHash("md5").update(input.body).digest("base64");
  const caHeaders: Array<[string, string]> = [
    ["x-ca-key", input.appKey],
    ["x-ca-nonce", input.nonce ?? randomUUID()],
    ["x-ca-timestamp", String(input.now ?? Date.now())],
  ];
  const lines = [input.method, input.accept];
  if (input.contentMd5) lines.push(headers["Content-MD5"]!);
  lines.push(input.contentType);
  for (const [k, v] of caHeaders) lines.push(`${k}:${v}`);
  lines.push(input.path);
  const signature = createHmac("sha256", input.appSecret).update(lines.join("\n"), "utf8").digest("base64");
  for (const [k, v] of caHeaders) headers[k] = v;
  headers["x-ca-signature-headers"] = caHeaders.map(([k]) => k).join(",");
  headers["x-ca-signature"] = signature;
  return headers;
}
