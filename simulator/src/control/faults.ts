import { z } from "zod";

export const FaultRule = z.object({
  path: z.string().min(1).describe("API path after /artemis/api/, a prefix ending in *, or * for all"),
  latencyMs: z.int().min(0).max(120_000).optional(),
  rate: z.number().min(0).max(1).default(1).describe("Fraction of matching calls that fail"),
  error: z
    .union([
      z.object({ http: z.int().min(400).max(599) }),
      z.object({ code: z.string().min(1), msg: z.string().optional() }),
      z.literal("timeout"),
      z.literal("reset"),
    ])
    .optional(),
  times: z.int().positive().optional().describe("Stop after failing this many calls"),
});
export type FaultRule = z.infer<typeof FaultRule>;

export const Faults = z.object({
  rules: z.array(FaultRule).default([]),
  dropPushRate: z.number().min(0).max(1).default(0),
  dropFaces: z.boolean().default(false).describe("Answer face uploads with code 0 and keep no photo"),
  offlineDevices: z.array(z.string()).default([]).describe("Terminals (acsDevIndexCode) a download to fails"),
  downloadDelayMs: z.int().min(0).max(600_000).default(0).describe("How long a download stays pending"),
  rateLimit: z
    .object({
      perSecond: z.number().positive(),
      burst: z.int().positive().default(2),
    })
    .optional()
    .describe("A gateway token bucket: calls beyond it are answered HTTP 429"),
});
export type Faults = z.infer<typeof Faults>;

export type FaultAction =
  | { kind: "none"; latencyMs: number }
  | { kind: "http"; status: number; latencyMs: number }
  | { kind: "code"; code: string; msg: string; latencyMs: number }
  | { kind: "timeout" | "reset"; latencyMs: number };

const DEFAULT_MSG: Record<string, string> = {
  "2": "Incorrect request parameter. [fault parameter error]",
  "5": "Hikcentral Database Exception",
  "8": "This product version is not supported",
  "17": "No permission for OpenAPI access",
  "64": "User authentication failed",
  "128": "person data is invalid",
};

export class FaultInjector {
  private faults: Faults = Faults.parse({});
  private used = new Map<FaultRule, number>();
  /** Calls per API path, so tests can count retries. */
  readonly calls = new Map<string, number>();
  /** Calls answered 429 by the rate limit. */
  rateLimited = 0;
  private bucket = { tokens: 0, at: 0 };

  set(f: z.input<typeof Faults>) {
    this.faults = Faults.parse(f);
    this.used.clear();
    this.rateLimited = 0;
    this.bucket = { tokens: this.faults.rateLimit?.burst ?? 0, at: Date.now() };
  }

  /** Takes a token from the gateway's bucket; false when it is empty. */
  private withinRate(): boolean {
    const limit = this.faults.rateLimit;
    if (!limit) return true;
    const now = Date.now();
    this.bucket.tokens = Math.min(
      limit.burst,
      this.bucket.tokens + ((now - this.bucket.at) / 1000) * limit.perSecond,
    );
    this.bucket.at = now;
    if (this.bucket.tokens < 1) return false;
    this.bucket.tokens -= 1;
    return true;
  }

  get(): Faults {
    return this.faults;
  }

  offlineDevices(): string[] {
    return this.faults.offlineDevices;
  }

  downloadDelayMs(): number {
    return this.faults.downloadDelayMs;
  }

  dropFaces(): boolean {
    return this.faults.dropFaces;
  }

  dropPushRate(): number {
    return this.faults.dropPushRate;
  }

  decide(path: string): FaultAction {
    this.calls.set(path, (this.calls.get(path) ?? 0) + 1);
    if (!this.withinRate()) {
      this.rateLimited += 1;
      return { kind: "http", status: 429, latencyMs: 0 };
    }
    let latencyMs = 0;
    for (const rule of this.faults.rules) {
      const matches =
        rule.path === "*" ||
        rule.path === path ||
        (rule.path.endsWith("*") && path.startsWith(rule.path.slice(0, -1)));
      if (!matches) continue;
      latencyMs = Math.max(latencyMs, rule.latencyMs ?? 0);
      if (!rule.error) continue;
      const used = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) continue;
      if (Math.random() >= rule.rate) continue;
      this.used.set(rule, used + 1);
      const e = rule.error;
      if (e === "timeout" || e === "reset") return { kind: e, latencyMs };
      if ("http" in e) return { kind: "http", status: e.http, latencyMs };
      return { kind: "code", code: e.code, msg: e.msg ?? DEFAULT_MSG[e.code] ?? "Error", latencyMs };
    }
    return { kind: "none", latencyMs };
  }
}
