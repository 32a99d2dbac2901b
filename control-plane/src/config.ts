import { hostname } from "node:os";
import { ConfigError, loadConfig } from "@gatehouse/shared";
import { z } from "zod";
import { addressList } from "./address-list.js";

export { ConfigError };

const port = z.coerce.number().int().min(0).max(65535);

/** A comma-separated list (empty by default), each entry trimmed; `check` throws what is wrong with it. */
const commaList = (check: (entries: string[]) => unknown) =>
  z
    .string()
    .default("")
    .transform((s, ctx) => {
      const entries = s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
      try {
        check(entries);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
      return entries;
    });

export const ControlPlaneConfigSchema = z
  .object({
    GATEHOUSE_DB_URL: z.string().default("file:./data/gatehouse.db"),
    GATEHOUSE_DB_AUTH_TOKEN: z.string().optional(),
    GATEHOUSE_HTTP_HOST: z.string().default("0.0.0.0"),
    GATEHOUSE_HTTP_PORT: port.default(8080),
    GATEHOUSE_MQTT_HOST: z.string().default("0.0.0.0"),
    GATEHOUSE_MQTT_PORT: port.default(1883),
    /** An external broker (Mosquitto, EMQX, HiveMQ; MQTT 5 for shared subscriptions) instead of the embedded one. */
    GATEHOUSE_MQTT_URL: z
      .string()
      .regex(
        /^mqtts?:\/\/[^/\s@]+(:\d+)?\/?$/,
        "must be mqtt://host:port or mqtts://host:port, without credentials",
      )
      .optional(),
    /** The control plane's login on the external broker (the user `gatehouse mosquitto acl` lists). */
    GATEHOUSE_MQTT_USERNAME: z.string().min(1).default("gatehouse-control-plane"),
    GATEHOUSE_MQTT_PASSWORD: z.string().optional(),
    /** CA certificate(s) the external broker's mqtts certificate is checked against (system CAs otherwise). */
    GATEHOUSE_MQTT_CA_FILE: z.string().min(1).optional(),
    /**
     * The external broker is a Mosquitto 2 whose dynamic security plugin Gatehouse manages: agents' and API
     * tokens' logins are created, changed and deleted there live (the control plane's login is its admin).
     */
    GATEHOUSE_MOSQUITTO_DYNSEC: z.stringbool().default(false),
    /** Connections sharing agent messages from the external broker: MQTT.js commits one message at a time each. */
    GATEHOUSE_MQTT_INTAKE_CONNECTIONS: z.coerce.number().int().min(1).max(64).default(4),
    /** This instance's name: its MQTT client ids and lease holder. Unique per instance, stable across restarts. */
    GATEHOUSE_INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, "letters, digits, '.', '_' or '-' (at most 64)")
      .default(
        hostname()
          .replace(/[^A-Za-z0-9_.-]/g, "-")
          .slice(0, 64) || "gatehouse",
      ),
    /** How long a scheduler's lease lasts unrenewed: how soon another instance takes over from a dead one. */
    GATEHOUSE_LEASE_SECONDS: z.coerce.number().min(3).max(600).default(15),
    GATEHOUSE_SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\/.+/, "must be smtp://[user:pass@]host:port or smtps://...")
      .optional(),
    GATEHOUSE_MAIL_FROM: z.string().default("Gatehouse <gatehouse@localhost>"),
    /** The Ed25519 key that signs commands (PKCS#8 PEM); created on first start if missing. */
    GATEHOUSE_SIGNING_KEY_FILE: z.string().min(1).default("./data/command-signing-key.pem"),
    GATEHOUSE_ADMIN_TOKEN: z.string().min(24, "must be at least 24 characters").optional(),
    GATEHOUSE_COMMAND_RESEND_SECONDS: z.coerce.number().positive().default(30),
    GATEHOUSE_SCHEDULER_SECONDS: z.coerce.number().positive().default(30),
    /** Guests' names, contacts and photos are erased this many days after their visit closed. */
    GATEHOUSE_RETENTION_DAYS: z.coerce.number().nonnegative().default(30),
    /** With both, the HTTP API serves https and the embedded broker mqtts, on their usual ports. */
    GATEHOUSE_TLS_CERT_FILE: z.string().min(1).optional(),
    GATEHOUSE_TLS_KEY_FILE: z.string().min(1).optional(),
    /** Browser origins allowed to call the API (comma-separated); CORS is off when unset. */
    GATEHOUSE_CORS_ORIGINS: commaList((origins) => {
      const bad = origins.find((o) => !/^https?:\/\/[^/\s]+$/.test(o));
      if (bad) throw new Error(`'${bad}' is not an origin such as https://console.example.edu`);
    }),
    /**
     * Failed logins a minute with one credential from one address before that credential is refused there for
     * the rest of the minute; also how many different failed credentials lock an address for strangers.
     */
    GATEHOUSE_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().positive().default(10),
    /**
     * Reverse proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For is believed; from any
     * other peer the header is ignored, since a client can write it.
     */
    GATEHOUSE_TRUSTED_PROXIES: commaList(addressList),
    /** The largest bulk import body, in bytes (CSV or JSON); a larger one is refused before it is read. */
    GATEHOUSE_IMPORT_MAX_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(16 * 1024 * 1024),
    GATEHOUSE_LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),
  })
  .superRefine((c, ctx) => {
    if (Boolean(c.GATEHOUSE_TLS_CERT_FILE) !== Boolean(c.GATEHOUSE_TLS_KEY_FILE)) {
      const missing = c.GATEHOUSE_TLS_CERT_FILE ? "GATEHOUSE_TLS_KEY_FILE" : "GATEHOUSE_TLS_CERT_FILE";
      ctx.addIssue({ code: "custom", path: [missing], message: "TLS needs both a certificate and its key" });
    }
    if (c.GATEHOUSE_MOSQUITTO_DYNSEC && !c.GATEHOUSE_MQTT_URL)
      ctx.addIssue({
        code: "custom",
        path: ["GATEHOUSE_MOSQUITTO_DYNSEC"],
        message: "manages an external Mosquitto: set GATEHOUSE_MQTT_URL too",
      });
  });
export type ControlPlaneConfig = z.infer<typeof ControlPlaneConfigSchema>;

const SECRET_KEYS = [
  "GATEHOUSE_SMTP_URL",
  "GATEHOUSE_ADMIN_TOKEN",
  "GATEHOUSE_DB_AUTH_TOKEN",
  "GATEHOUSE_MQTT_PASSWORD",
];

const EXAMPLES: Record<string, string> = {
  GATEHOUSE_DB_URL: "file:/var/lib/gatehouse/gatehouse.db",
  GATEHOUSE_HTTP_PORT: "8080",
  GATEHOUSE_MQTT_PORT: "1883",
  GATEHOUSE_MQTT_URL: "mqtts://broker.example.edu:8883",
  GATEHOUSE_MQTT_PASSWORD: "the password of gatehouse-control-plane (or GATEHOUSE_MQTT_PASSWORD_FILE)",
  GATEHOUSE_INSTANCE_ID: "cp-1",
  GATEHOUSE_SMTP_URL: "smtp://user:password@mail.example.edu:587 (or GATEHOUSE_SMTP_URL_FILE)",
  GATEHOUSE_MAIL_FROM: "Gatehouse <gatehouse@example.edu>",
  GATEHOUSE_TLS_CERT_FILE: "/etc/gatehouse/tls/fullchain.pem",
  GATEHOUSE_TLS_KEY_FILE: "/etc/gatehouse/tls/privkey.pem",
  GATEHOUSE_CORS_ORIGINS: "https://console.example.edu",
  GATEHOUSE_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8",
  GATEHOUSE_IMPORT_MAX_BYTES: "16777216 (16 MiB)",
  GATEHOUSE_SIGNING_KEY_FILE: "/var/lib/gatehouse/command-signing-key.pem",
  GATEHOUSE_ADMIN_TOKEN: "a random string of 24+ characters (or GATEHOUSE_ADMIN_TOKEN_FILE)",
};

/** Environment (wins) over an optional YAML/JSON file with the same keys; `KEY_FILE` reads a secret from a file. */
export function loadControlPlaneConfig(
  env: Record<string, string | undefined>,
  fileText?: string,
  readFile?: (p: string) => string,
): ControlPlaneConfig {
  return loadConfig(
    ControlPlaneConfigSchema,
    { prefix: "GATEHOUSE_", secretKeys: SECRET_KEYS, examples: EXAMPLES },
    env,
    fileText,
    readFile,
  );
}
