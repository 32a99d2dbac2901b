import { describe, expect, it } from "vitest";
import { DigestGuard, expectedResponse, parseDigestHeader } from "./digest-guard.js";

describe("the terminal's Digest checker", () => {
  it("computes the published vectors (RFC 2617 §3.5, RFC 7616 §3.9.1 MD5, and the ISAPI capture's)", () => {
    expect(
      expectedResponse({
        username: "Mufasa",
        realm: "testrealm@host.com",
        password: "Circle Of Life",
        method: "GET",
        uri: "/dir/index.html",
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        nc: "00000001",
        cnonce: "0a4f113b",
        qop: "auth",
      }),
    ).toBe("6629fae49393a05397450978507c4ef1");
    expect(
      expectedResponse({
        username: "Mufasa",
        realm: "http-auth@example.org",
        password: "Circle of Life",
        method: "GET",
        uri: "/dir/index.html",
        nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        nc: "00000001",
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        qop: "auth",
      }),
    ).toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(
      expectedResponse({
        username: "admin",
        realm: "DS-317D433B",
        password: "12345",
        method: "POST",
        uri: "/ISAPI/AccessControl/UserInfo/Search?format=json",
        nonce: "NzY4NTU0YjdlNjY2Y2M4NzU3MzAzMjM4NzQwNzdmNmU=",
        nc: "00000001",
        cnonce: "0a4f113b",
        qop: "auth",
      }),
    ).toBe("c316df73a52ef422148bf185c334fa8f");
  });

  it("parses quoted values with commas and bare values", () => {
    expect(parseDigestHeader('Digest username="a, b", qop=auth, nc=00000001, opaque=""')).toEqual({
      username: "a, b",
      qop: "auth",
      nc: "00000001",
      opaque: "",
    });
    expect(parseDigestHeader("Basic YWRtaW46MTIzNDU=")).toBeUndefined();
  });

  const guard = (now: { t: number }) =>
    new DigestGuard({
      realm: "DS-0A1B2C3D",
      users: new Map([["admin", "12345"]]),
      nonceUses: 2,
      nonceTtlMs: 60_000,
      lockAfter: 3,
      lockSeconds: 1800,
      now: () => now.t,
    });
  const answer = (challenge: string, nc: string, password = "12345", uri = "/ISAPI/System/time") => {
    const c = parseDigestHeader(challenge)!;
    const response = expectedResponse({
      username: "admin",
      realm: c.realm!,
      password,
      method: "GET",
      uri,
      nonce: c.nonce!,
      nc,
      cnonce: "abc",
      qop: "auth",
    });
    return `Digest username="admin", realm="${c.realm}", nonce="${c.nonce}", uri="${uri}", qop=auth, nc=${nc}, cnonce="abc", response="${response}", opaque=""`;
  };

  it("challenges like a terminal, wears nonces out, and refuses a repeated nonce count", () => {
    const g = guard({ t: 0 });
    const ch = g.challenge();
    expect(ch).toMatch(
      /^Digest qop="auth", realm="DS-0A1B2C3D", nonce="[A-Za-z0-9+/=]+", stale="false", opaque="", domain="::"$/,
    );
    expect(g.check("GET", "/ISAPI/System/time", undefined)).toMatchObject({ ok: false, reason: "missing" });
    expect(g.check("GET", "/ISAPI/System/time", answer(ch, "00000001"))).toEqual({
      ok: true,
      username: "admin",
    });
    expect(g.check("GET", "/ISAPI/System/time", answer(ch, "00000001"))).toMatchObject({ reason: "stale" });
    expect(g.check("GET", "/ISAPI/System/time", answer(ch, "00000002"))).toEqual({
      ok: true,
      username: "admin",
    });
    expect(g.check("GET", "/ISAPI/System/time", answer(ch, "00000003"))).toMatchObject({ reason: "stale" });
    // The uri signed must be the one requested.
    expect(g.check("GET", "/ISAPI/System/deviceInfo", answer(g.challenge(), "00000001"))).toMatchObject({
      reason: "wrong",
    });
  });

  it("locks after three bad logins, extends the lock at every attempt, and never takes Basic", () => {
    const now = { t: 0 };
    const g = guard(now);
    expect(g.check("GET", "/ISAPI/System/time", "Basic YWRtaW46MTIzNDU=")).toMatchObject({
      reason: "basic",
      retriesLeft: 2,
    });
    expect(g.check("GET", "/ISAPI/System/time", answer(g.challenge(), "00000001", "wrong"))).toMatchObject({
      reason: "wrong",
      retriesLeft: 1,
    });
    expect(g.check("GET", "/ISAPI/System/time", answer(g.challenge(), "00000001", "wrong"))).toMatchObject({
      reason: "wrong",
      unlockSeconds: 1800,
    });
    now.t += 1000_000;
    // The right password during the lock is refused too, and starts the 30 minutes again.
    expect(g.check("GET", "/ISAPI/System/time", answer(g.challenge(), "00000001"))).toMatchObject({
      reason: "locked",
      unlockSeconds: 1800,
    });
    now.t += 1801_000;
    expect(g.check("GET", "/ISAPI/System/time", answer(g.challenge(), "00000001"))).toEqual({
      ok: true,
      username: "admin",
    });
  });
});
