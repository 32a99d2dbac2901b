import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type SignedRequest, stringToSign, verifySignature } from "./signature.js";

function req(method: string, url: string, headers: Record<string, string>, body = ""): SignedRequest {
  const u = new URL(url);
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method,
    path: u.pathname,
    query: u.searchParams,
    header: (n) => lower[n],
    body: Buffer.from(body, "utf8"),
  };
}

const own = {
  key: "12345678",
  secret: "abcdefghijklmnopqrst",
  ts: "1759471200000",
  nonce: "2f1e6c8a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
  path: "http://hcp.example/artemis/api/resource/v1/person/single/add",
  body: '{"personCode":"EMP-0001","personFamilyName":"Doe","personGivenName":"Jane","gender":2,"orgIndexCode":"1","beginTime":"2025-10-03T09:00:00+03:00","endTime":"2026-10-03T23:59:59+03:00"}',
};
const secrets = (k: string) => (k === own.key ? own.secret : k === "29666671" ? "empsl21ds3" : undefined);

describe("Artemis gateway signature check", () => {
  it("reproduces Hikvision's official example vector (form body merged with the query)", () => {
    const r = req("POST", "http://www.example.com/artemis/api/example?qa=a&qb=B", {
      Accept: "*/*",
      "Content-Type": "text/plain;charset=UTF-8",
      "header-a": "A",
      "header-b": "b",
      "x-ca-key": "29666671",
      "x-ca-timestamp": "1479968678000",
      "x-ca-signature-headers": "header-a,header-b,x-ca-key,x-ca-timestamp",
      "x-ca-signature": "JRpUpk1ETjzr5gsbo4qoEA9EiQPejvNz12B837xV5HI=",
    });
    const sts = stringToSign(r, [
      ["a-body", "a"],
      ["x-body", "x"],
    ]);
    expect(sts).toBe(
      "POST\n*/*\ntext/plain;charset=UTF-8\nheader-a:A\nheader-b:b\nx-ca-key:29666671\nx-ca-timestamp:1479968678000\n/artemis/api/example?a-body=a&qa=a&qb=B&x-body=x",
    );
  });

  const base = {
    Accept: "*/*",
    "Content-Type": "application/json",
    "x-ca-key": own.key,
    "x-ca-nonce": own.nonce,
    "x-ca-timestamp": own.ts,
  };

  it.each([
    [
      "A: key+nonce+timestamp",
      { ...base, "x-ca-signature-headers": "x-ca-key,x-ca-nonce,x-ca-timestamp" },
      "4KqSSTt1NzQAs5gsgjqmB7PPGs+oPP55DXymc3Whq1Y=",
    ],
    [
      "B: with Content-MD5",
      {
        ...base,
        "Content-MD5": "f2Nvx7ZzX3JNBEFrg3yNPw==",
        "x-ca-signature-headers": "x-ca-key,x-ca-nonce,x-ca-timestamp",
      },
      "wQ4LvUzCzzz4l2YPCqqrZLmsMF6VEd4eNk2tUfWX/nQ=",
    ],
    [
      "C: key only",
      { ...base, "x-ca-signature-headers": "x-ca-key" },
      "FM3yh7xEiot+zTnXIbnQSox5S4eKQofo14QbeHbEOcU=",
    ],
    [
      "D: no signed headers",
      { Accept: "*/*", "Content-Type": "application/json", "x-ca-key": own.key },
      "9RgbChxnF12zGVpoA8Qrapt37527hSC9Ij5W/BrT83c=",
    ],
  ])("accepts style %s", (_name, headers, signature) => {
    const r = req("POST", own.path, { ...headers, "x-ca-signature": signature }, own.body);
    expect(verifySignature(r, secrets)).toMatchObject({ ok: true, appKey: own.key });
  });

  it("computes the Content-MD5 of the vector body", () => {
    expect(createHash("md5").update(own.body).digest("base64")).toBe("f2Nvx7ZzX3JNBEFrg3yNPw==");
  });

  it("accepts a GET with sorted query and an empty value written as the bare key", () => {
    const r = req("GET", "http://hcp.example/artemis/api/example?b=2&a=1&c=", {
      ...base,
      "x-ca-signature-headers": "x-ca-key,x-ca-nonce,x-ca-timestamp",
      "x-ca-signature": "7n47lyGbbC/66lKKxuTfQ+p+tyYZA6FHzEXwREys2zo=",
    });
    expect(verifySignature(r, secrets).ok).toBe(true);
  });

  it("refuses a wrong signature, an unknown key and a body changed under Content-MD5", () => {
    const headers = {
      ...base,
      "x-ca-signature-headers": "x-ca-key",
      "x-ca-signature": "FM3yh7xEiot+zTnXIbnQSox5S4eKQofo14QbeHbEOcV=",
    };
    expect(verifySignature(req("POST", own.path, headers, own.body), secrets)).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(
      verifySignature(req("POST", own.path, { ...headers, "x-ca-key": "99999999" }, own.body), secrets),
    ).toMatchObject({ ok: false, reason: "unknown_key" });
    const md5 = {
      ...base,
      "Content-MD5": "f2Nvx7ZzX3JNBEFrg3yNPw==",
      "x-ca-signature-headers": "x-ca-key,x-ca-nonce,x-ca-timestamp",
      "x-ca-signature": "wQ4LvUzCzzz4l2YPCqqrZLmsMF6VEd4eNk2tUfWX/nQ=",
    };
    expect(
      verifySignature(req("POST", own.path, md5, own.body.replace("Jane", "John")), secrets),
    ).toMatchObject({
      ok: false,
      reason: "bad_content_md5",
    });
  });
});
