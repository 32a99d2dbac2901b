import { SimTerminal } from "@gatehouse/simulator";
import DigestClient from "digest-fetch";
import { afterEach, describe, expect, it } from "vitest";
import { IsapiClient, type RefusedLogins, type TerminalCredentials } from "./client.js";

/** The Authorization header the client's Digest library writes for a published example. */
function libraryResponse(o: {
  user: string;
  password: string;
  challenge: string;
  method: string;
  url: string;
  cnonce: string;
}): string {
  const d = new DigestClient(o.user, o.password, { algorithm: "MD5" });
  d.parseAuth(o.challenge);
  (d.digest as { cnonce?: string }).cnonce = o.cnonce;
  d.digest.nc = 1;
  const h = (d.addAuth(o.url, { method: o.method, headers: {} }) as { headers: { Authorization: string } })
    .headers.Authorization;
  return /response="([0-9a-f]+)"/.exec(h)![1]!;
}

describe("the agent's Digest client (digest-fetch)", () => {
  it("answers the published vectors", () => {
    expect(
      libraryResponse({
        user: "Mufasa",
        password: "Circle Of Life",
        challenge:
          'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
        method: "GET",
        url: "http://host.com/dir/index.html",
        cnonce: "0a4f113b",
      }),
    ).toBe("6629fae49393a05397450978507c4ef1");
    expect(
      libraryResponse({
        user: "Mufasa",
        password: "Circle of Life",
        challenge:
          'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
        method: "GET",
        url: "http://www.example.org/dir/index.html",
        cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
      }),
    ).toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(
      libraryResponse({
        user: "admin",
        password: "12345",
        challenge:
          'Digest qop="auth", realm="DS-317D433B", nonce="NzY4NTU0YjdlNjY2Y2M4NzU3MzAzMjM4NzQwNzdmNmU=", stale="false", opaque="", domain="::"',
        method: "POST",
        url: "http://192.0.2.10/ISAPI/AccessControl/UserInfo/Search?format=json",
        cnonce: "0a4f113b",
      }),
    ).toBe("c316df73a52ef422148bf185c334fa8f");
  });
});

class MemoryLedger implements RefusedLogins {
  readonly refusedSet = new Set<string>();
  async refused(t: string, c: TerminalCredentials) {
    return this.refusedSet.has(`${t}:${c.username}:${c.password}`);
  }
  async noteRefused(t: string, c: TerminalCredentials) {
    this.refusedSet.add(`${t}:${c.username}:${c.password}`);
  }
}

const terminals: SimTerminal[] = [];
afterEach(async () => {
  for (const t of terminals.splice(0)) await t.stop();
});
async function terminal() {
  const t = new SimTerminal({ id: "t1", timeZone: "Asia/Almaty" });
  await t.start();
  terminals.push(t);
  return t;
}
const client = (t: SimTerminal, ledger: RefusedLogins = new MemoryLedger(), password = t.password) =>
  new IsapiClient({
    id: t.opts.id,
    baseUrl: t.url,
    credentials: { username: t.username, password },
    timeoutMs: 2000,
    refusedLogins: ledger,
  });

describe("IsapiClient against a simulated terminal", () => {
  it("authenticates with Digest, reuses a nonce as far as the terminal allows, and reads XML and JSON", async () => {
    const t = await terminal();
    const c = client(t);
    for (let i = 0; i < 5; i++) {
      const info = await c.xml("GET", "/ISAPI/System/deviceInfo");
      expect(info).toMatchObject({ root: "DeviceInfo", deviceType: "ACS", serialNumber: t.serialNumber });
    }
    const count = await c.json<{ UserInfoCount: { userNumber: number } }>(
      "GET",
      "/ISAPI/AccessControl/UserInfo/Count",
    );
    expect(count.UserInfoCount.userNumber).toBe(0);
    expect(t.authFailures).toBe(0);
  });

  it("makes one bad login, then no more, across a new client with the same credentials", async () => {
    const t = await terminal();
    const ledger = new MemoryLedger();
    const bad = client(t, ledger, "not-the-password");
    await expect(bad.xml("GET", "/ISAPI/System/deviceInfo")).rejects.toMatchObject({
      code: "ISAPI_LOGIN_REFUSED",
    });
    await expect(bad.xml("GET", "/ISAPI/System/deviceInfo")).rejects.toMatchObject({
      code: "ISAPI_LOGIN_REFUSED",
    });
    const again = client(t, ledger, "not-the-password");
    await expect(again.xml("GET", "/ISAPI/System/time")).rejects.toMatchObject({
      code: "ISAPI_LOGIN_REFUSED",
    });
    expect(t.authFailures).toBe(1);
    // Nor does the alert stream, which has a connection of its own.
    await expect(
      again.openStream("/ISAPI/Event/notification/alertStream", new AbortController().signal),
    ).rejects.toMatchObject({
      code: "ISAPI_LOGIN_REFUSED",
    });
    const streamClient = client(t, ledger, "not-the-password");
    await expect(
      streamClient.openStream("/ISAPI/Event/notification/alertStream", new AbortController().signal),
    ).rejects.toMatchObject({ code: "ISAPI_LOGIN_REFUSED" });
    expect(t.authFailures).toBe(1);
    // Fixed credentials are tried.
    await expect(client(t, ledger).xml("GET", "/ISAPI/System/time")).resolves.toMatchObject({ root: "Time" });
  });

  it("says the terminal locked the account when it did", async () => {
    const t = await terminal();
    // Someone else's five bad logins (Basic counts as one) lock the account.
    for (let i = 0; i < 5; i++) t.guard.check("GET", "/x", "Basic eA==");
    const err = await client(t)
      .xml("GET", "/ISAPI/System/time")
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "ISAPI_LOGIN_REFUSED", details: { unlockSeconds: 1800 } });
    expect((err as Error).message).toContain("locked the account for 1800 s");
    expect((err as Error).message).not.toContain(t.password);
  });

  it("turns ResponseStatus errors into typed errors, JSON and XML alike", async () => {
    const t = await terminal();
    const c = client(t);
    const user = {
      employeeNo: "GH1",
      name: "Ada",
      userType: "visitor",
      Valid: {
        enable: true,
        beginTime: "2026-01-01T00:00:00",
        endTime: "2026-12-31T23:59:59",
        timeType: "local",
      },
    };
    await c.json("POST", "/ISAPI/AccessControl/UserInfo/Record", { UserInfo: user });
    await expect(
      c.json("POST", "/ISAPI/AccessControl/UserInfo/Record", { UserInfo: user }),
    ).rejects.toMatchObject({
      code: "ISAPI_PERSON_EXISTS",
      retryable: false,
    });
    await expect(
      c.json("PUT", "/ISAPI/AccessControl/UserInfo/Modify", { UserInfo: { ...user, employeeNo: "GH2" } }),
    ).rejects.toMatchObject({ code: "ISAPI_PERSON_NOT_FOUND" });
    await expect(
      c.json("PUT", "/ISAPI/AccessControl/UserInfo/SetUp", {
        UserInfo: { ...user, Valid: { ...user.Valid, endTime: "2025-01-01T00:00:00" } },
      }),
    ).rejects.toMatchObject({ code: "ISAPI_INVALID_VALIDITY" });
    await expect(
      c.xml(
        "PUT",
        "/ISAPI/AccessControl/RemoteControl/door/7",
        "<RemoteControlDoor><cmd>open</cmd></RemoteControlDoor>",
      ),
    ).rejects.toMatchObject({
      code: "ISAPI_INVALID_CONTENT",
    });
    await expect(c.xml("GET", "/ISAPI/Event/triggers")).rejects.toMatchObject({
      code: "ISAPI_NOT_SUPPORTED",
    });
    // Without ?format=json the terminal reads JSON as XML.
    await expect(c.call("POST", "/ISAPI/AccessControl/UserInfo/Search", { json: {} })).rejects.toMatchObject({
      code: "ISAPI_BAD_FORMAT",
    });
  });

  it("makes a busy or failing terminal's errors retryable, and a dropped connection unavailable", async () => {
    const t = await terminal();
    const c = client(t);
    t.setFaults([
      { path: "/ISAPI/AccessControl/UserInfo/Count", error: "busy", times: 1 },
      { path: "/ISAPI/System/time", error: "reset", times: 1 },
      { path: "/ISAPI/AccessControl/UserInfo/Search", error: "deviceError", times: 1 },
    ]);
    await expect(c.json("GET", "/ISAPI/AccessControl/UserInfo/Count")).rejects.toMatchObject({
      code: "ISAPI_BUSY",
      retryable: true,
    });
    await expect(c.json("GET", "/ISAPI/AccessControl/UserInfo/Count")).resolves.toMatchObject({
      UserInfoCount: { userNumber: 0 },
    });
    await expect(c.xml("GET", "/ISAPI/System/time")).rejects.toMatchObject({
      code: "ISAPI_UNAVAILABLE",
      retryable: true,
    });
    await expect(
      c.json("POST", "/ISAPI/AccessControl/UserInfo/Search", {
        UserInfoSearchCond: { searchID: "1", searchResultPosition: 0, maxResults: 30 },
      }),
    ).rejects.toMatchObject({ code: "ISAPI_DEVICE_ERROR", retryable: true });
  });

  it("says a terminal that is off is unavailable, retryably", async () => {
    const t = await terminal();
    t.setOffline(true);
    await expect(client(t).xml("GET", "/ISAPI/System/time")).rejects.toMatchObject({
      code: "ISAPI_UNAVAILABLE",
      retryable: true,
    });
  });
});

describe("IsapiClient over HTTPS with the terminal's certificate pinned", () => {
  it("talks to the pinned terminal and refuses another certificate before sending anything", async () => {
    const { selfSignedCertificate } = await import("@gatehouse/simulator");
    const cert = await selfSignedCertificate("127.0.0.1");
    const t = new SimTerminal({ id: "tls-1", timeZone: "Asia/Almaty", tls: cert });
    await t.start();
    terminals.push(t);
    expect(t.url).toMatch(/^https:/);
    const pinned = (fingerprint256: string) =>
      new IsapiClient({
        id: "tls-1",
        baseUrl: t.url,
        credentials: { username: t.username, password: t.password },
        fingerprint256,
        timeoutMs: 2000,
        refusedLogins: new MemoryLedger(),
      });
    await expect(pinned(cert.fingerprint256).xml("GET", "/ISAPI/System/time")).resolves.toMatchObject({
      root: "Time",
    });
    const other = await selfSignedCertificate("127.0.0.1");
    const calls = [...t.calls.values()].reduce((a, b) => a + b, 0);
    await expect(pinned(other.fingerprint256).xml("GET", "/ISAPI/System/time")).rejects.toMatchObject({
      code: "ISAPI_UNAVAILABLE",
    });
    expect([...t.calls.values()].reduce((a, b) => a + b, 0)).toBe(calls);
  });
});
