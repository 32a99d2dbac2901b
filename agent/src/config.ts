import { ConfigError, loadConfig, parsePublicKeys, SiteId, TimeZone } from "@gatehouse/shared";
import { z } from "zod";

export { ConfigError };

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);

const DirectionMap = z.record(z.string(), z.enum(["entry", "exit"]));

/** door → direction, as `1:entry,2:exit`, a JSON object, or that object as a JSON string. */
const doorDirections = z.union([z.string(), DirectionMap]).transform((v, ctx) => {
  if (typeof v === "string" && v.trim().startsWith("{")) {
    try {
      const parsed = DirectionMap.safeParse(JSON.parse(v));
      if (parsed.success) return parsed.data;
    } catch {
      /* reported below */
    }
    ctx.addIssue({
      code: "custom",
      message: 'must map doors to "entry" or "exit", e.g. {"1":"entry","2":"exit"}',
    });
    return z.NEVER;
  }
  if (typeof v !== "string") return v;
  const out: Record<string, "entry" | "exit"> = {};
  for (const part of v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [door, dir] = part.split(":").map((s) => s.trim());
    if (!door || (dir !== "entry" && dir !== "exit")) {
      ctx.addIssue({
        code: "custom",
        message: `'${part}' is not door:entry or door:exit (e.g. 1:entry,2:exit)`,
      });
      return z.NEVER;
    }
    out[door] = dir;
  }
  return out;
});

/** One access terminal the agent talks ISAPI to (its password in a file, never in the config itself). */
export const TerminalConfig = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "must be a lower-case slug, e.g. gate-1"),
  url: z
    .url()
    .regex(/^https?:\/\//, "must be http:// or https://")
    .refine((u) => new URL(u).port !== "8000", {
      message: "port 8000 is the terminal's SDK port, not ISAPI: use http:// (80) or https:// (443)",
    }),
  username: z.string().min(1).default("admin"),
  passwordFile: z.string().min(1).describe("A file holding the terminal's password (systemd LoadCredential)"),
  fingerprint: z
    .string()
    .regex(
      /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
      "must be a SHA-256 fingerprint (64 hex digits, colons optional)",
    )
    .optional(),
  accessGroups: z
    .array(z.string().min(1))
    .default([])
    .describe("Access levels whose persons this terminal lets through"),
  doors: z
    .record(z.string().regex(/^\d+$/), z.enum(["entry", "exit"]))
    .default({ "1": "entry", "2": "exit" }),
  /** Also have the terminal push its events to the agent (HTTP host slot `pushSlot`), besides the stream. */
  push: z.boolean().default(false),
  pushSlot: z.union([z.literal(1), z.literal(2)]).default(2),
});
export type TerminalConfig = z.infer<typeof TerminalConfig>;

/** A JSON array (in the environment) or a YAML list (in the config file) of terminals, ids unique. */
const terminals = z
  .preprocess((v, ctx) => {
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch {
      ctx.addIssue({
        code: "custom",
        message:
          'must be a JSON array, e.g. [{"id":"gate-1","url":"http://10.0.0.21","passwordFile":"/etc/gatehouse/credentials/gate-1"}]',
      });
      return z.NEVER;
    }
  }, z.array(TerminalConfig))
  .refine((list) => new Set(list.map((t) => t.id)).size === list.length, {
    message: "terminal ids must be unique",
  });

export const AgentConfigSchema = z
  .object({
    AGENT_SITE_ID: SiteId,
    AGENT_MQTT_URL: z.string().regex(/^mqtts?:\/\/.+/, "must be mqtt://host:port or mqtts://host:port"),
    AGENT_MQTT_USERNAME: z.string().min(1),
    AGENT_MQTT_PASSWORD: z.string().min(1),
    AGENT_MQTT_CA_FILE: z.string().optional(),
    /** The control plane's command key(s); two during a rotation. Unsigned or forged commands are refused. */
    AGENT_COMMAND_PUBLIC_KEY: z.string().superRefine((v, ctx) => {
      try {
        parsePublicKeys(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
    AGENT_DB_URL: z.string().default("file:./data/agent.db"),
    /**
     * `hikcentral`: everything through HikCentral's OpenAPI; `isapi`: straight to the terminals (no
     * HikCentral); `both`: persons and grants through HikCentral, passages from the terminals' alert streams.
     */
    AGENT_MODE: z.enum(["hikcentral", "isapi", "both"]).default("hikcentral"),
    AGENT_HIKCENTRAL_URL: z
      .url({
        message: "must be the HikCentral base URL, e.g. https://hcp.campus.local:443",
      })
      .optional(),
    AGENT_HIKCENTRAL_APP_KEY: z.string().min(1).optional(),
    AGENT_HIKCENTRAL_APP_SECRET: z.string().min(1).optional(),
    AGENT_HIKCENTRAL_CA_FILE: z.string().optional(),
    /** SHA-256 fingerprint of HikCentral's certificate to pin (what `gatehouse-agent doctor` prints). */
    AGENT_HIKCENTRAL_FINGERPRINT: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
        "must be a SHA-256 fingerprint: 64 hex digits, colons optional",
      )
      .optional(),
    /** Lab only: accept any certificate. The name says what it costs. */
    AGENT_HIKCENTRAL_TLS_INSECURE_SKIP_VERIFY_UNSAFE: bool.default(false),
    AGENT_HIKCENTRAL_CONTENT_MD5: bool.default(true),
    AGENT_HIKCENTRAL_RATE: z.coerce.number().positive().default(10),
    AGENT_HIKCENTRAL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    AGENT_HIKCENTRAL_ORG: z.string().min(1).default("1"),
    /** Access levels (ids or names) the site's visit kinds use, for doctor to check: "Visitors,Students". */
    AGENT_ACCESS_LEVELS: z
      .string()
      .default("")
      .transform((s) =>
        s
          .split(",")
          .map((x) => x.trim())
          .filter(Boolean),
      ),
    AGENT_TIME_ZONE: TimeZone.default("UTC"),
    /** The site's turnstiles open by face only: a grant without a working face fails instead of half-working. */
    AGENT_FACE_ONLY: bool.default(false),
    /** How long a command waits for HikCentral to download a change to every terminal before acking it pending. */
    AGENT_DOWNLOAD_WAIT_SECONDS: z.coerce.number().nonnegative().default(30),
    AGENT_DOOR_DIRECTIONS: doorDirections.default({}),
    AGENT_EVENT_LISTEN: z
      .string()
      .regex(/^[^:\s]+:\d{1,5}$/, "must be host:port, e.g. 0.0.0.0:9101")
      .default("0.0.0.0:9101"),
    AGENT_EVENT_PUBLIC_URL: z.url().optional(),
    /** How often the subscription is checked and access records are searched for what pushes missed. */
    AGENT_GAP_FILL_SECONDS: z.coerce.number().positive().default(60),
    /** Searches reach back this far before the cursor: terminals upload buffered events late. */
    AGENT_GAP_FILL_OVERLAP_SECONDS: z.coerce.number().nonnegative().default(900),
    /** Between full searches (every AGENT_GAP_FILL_FULL_MINUTES, and after an outage), this much overlap. */
    AGENT_GAP_FILL_RECENT_OVERLAP_SECONDS: z.coerce.number().nonnegative().default(120),
    AGENT_GAP_FILL_FULL_MINUTES: z.coerce.number().positive().default(15),
    /** Commands of different persons carried out side by side at most; one person's always one at a time. */
    AGENT_COMMAND_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    /** Reconciliation with HikCentral: at start, on a sync command, and this often. */
    AGENT_RECONCILE_MINUTES: z.coerce.number().positive().default(60),
    /** Persons of visits that ended longer ago than this are deleted from HikCentral. */
    AGENT_RETENTION_DAYS: z.coerce.number().positive().default(30),
    /** Only persons whose personCode starts with this are Gatehouse's to reconcile (the control plane's `GH`). */
    AGENT_PERSON_CODE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]{2,16}$/, "must be 2-16 letters, digits, '_' or '-'")
      .default("GH"),
    /** How long a passage's identity is remembered for deduplication (HikCentral re-sends within hours). */
    AGENT_PASSAGE_DEDUP_DAYS: z.coerce.number().positive().default(14),
    /** The site's access terminals, spoken to over ISAPI; `doctor` checks each (login, identity, clock, features). */
    AGENT_TERMINALS: terminals.default([]),
    /** How long a terminal may take to answer one ISAPI call (the alert stream is long-lived and exempt). */
    AGENT_TERMINAL_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    AGENT_HTTP_HOST: z.string().default("127.0.0.1"),
    AGENT_HTTP_PORT: port.default(9100),
    AGENT_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((c, ctx) => {
    if (c.AGENT_MODE !== "isapi") {
      for (const key of [
        "AGENT_HIKCENTRAL_URL",
        "AGENT_HIKCENTRAL_APP_KEY",
        "AGENT_HIKCENTRAL_APP_SECRET",
      ] as const)
        if (!c[key]) ctx.addIssue({ code: "custom", path: [key], message: "is required (not set)" });
    }
    if (c.AGENT_MODE !== "hikcentral" && c.AGENT_TERMINALS.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["AGENT_TERMINALS"],
        message: `AGENT_MODE ${c.AGENT_MODE} needs at least one terminal`,
      });
    }
  });
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

const SECRET_KEYS = ["AGENT_MQTT_PASSWORD", "AGENT_HIKCENTRAL_APP_SECRET"] as const;

const EXAMPLES: Record<string, string> = {
  AGENT_SITE_ID: "north-campus",
  AGENT_MQTT_URL: "mqtts://gatehouse.example.edu:8883",
  AGENT_MQTT_USERNAME: "agent-north-campus (printed by `gatehouse site add`)",
  AGENT_MQTT_PASSWORD: "set AGENT_MQTT_PASSWORD_FILE=/etc/gatehouse/credentials/agent-mqtt-password",
  AGENT_COMMAND_PUBLIC_KEY:
    "ed25519:<43 characters> (printed by `gatehouse site add` and `gatehouse keys show`; comma-separate two while keys rotate)",
  AGENT_HIKCENTRAL_URL: "https://hcp.campus.local:443",
  AGENT_HIKCENTRAL_APP_KEY: "34489509 (artemis-web → Partner Management)",
  AGENT_HIKCENTRAL_APP_SECRET:
    "set AGENT_HIKCENTRAL_APP_SECRET_FILE=/etc/gatehouse/credentials/hikcentral-app-secret",
  AGENT_TIME_ZONE: "Asia/Almaty",
  AGENT_DOOR_DIRECTIONS: "1:entry,2:exit",
  AGENT_EVENT_LISTEN: "0.0.0.0:9101",
  AGENT_HTTP_PORT: "9100",
};

/**
 * Builds the agent's config from the environment and an optional YAML/JSON file (same keys; the
 * environment wins). `KEY_FILE` reads a secret from a file (systemd LoadCredential).
 */
export function loadAgentConfig(
  env: Record<string, string | undefined>,
  fileText?: string,
  readFile?: (path: string) => string,
): AgentConfig {
  return loadConfig(
    AgentConfigSchema,
    { prefix: "AGENT_", secretKeys: SECRET_KEYS, examples: EXAMPLES },
    env,
    fileText,
    readFile,
  );
}
