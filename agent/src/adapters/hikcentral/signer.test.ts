import { describe, expect, it } from "vitest";
import { signRequest } from "./signer.js";

const body = Buffer.from(
  '{"personCode":"EMP-0001","personFamilyName":"Doe","personGivenName":"Jane","gender":2,"orgIndexCode":"1","beginTime":"2025-10-03T09:00:00+03:00","endTime":"2026-10-03T23:59:59+03:00"}',
);
const common = {
  method: "POST" as const,
  path: "/artemis/api/resource/v1/person/single/add",
  body,
  appKey: "12345678",
  appSecret: "abcdefghijklmnopqrst",
  accept: "*/*",
  contentType: "application/json",
  now: 1759471200000,
  nonce: "2f1e6c8a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
};

describe("HikCentral request signer", () => {
  it("matches vector A (the Java SDK's default: key, nonce, timestamp)", () => {
    const h = signRequest({ ...common, contentMd5: false });
    expect(h["x-ca-signature"]).toBe("4KqSSTt1NzQAs5gsgjqmB7PPGs+oPP55DXymc3Whq1Y=");
    expect(h["x-ca-signature-headers"]).toBe("x-ca-key,x-ca-nonce,x-ca-timestamp");
    expect(h["Content-MD5"]).toBeUndefined();
  });

  it("matches vector B (with Content-MD5 over the exact body bytes)", () => {
    const h = signRequest({ ...common, contentMd5: true });
    expect(h["Content-MD5"]).toBe("f2Nvx7ZzX3JNBEFrg3yNPw==");
    expect(h["x-ca-signature"]).toBe("wQ4LvUzCzzz4l2YPCqqrZLmsMF6VEd4eNk2tUfWX/nQ=");
  });

  it("uses a fresh nonce and the current time in milliseconds by default", () => {
    const a = signRequest({ ...common, contentMd5: false, now: undefined, nonce: undefined });
    const b = signRequest({ ...common, contentMd5: false, now: undefined, nonce: undefined });
    expect(a["x-ca-nonce"]).not.toBe(b["x-ca-nonce"]);
    expect(Math.abs(Number(a["x-ca-timestamp"]) - Date.now())).toBeLessThan(5000);
  });
});
