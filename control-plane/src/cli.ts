#!/usr/bin/env node
import { randomBytes } from "node:crypto";
import { appendFileSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { assertTimeZone, GatehouseError, SiteId } from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";
import { Command, Option } from "commander";
import { SYSTEM } from "./adapters/db/audit.js";
import { SitesRepo } from "./adapters/db/sites-repo.js";
import { ROLES, type Role, TokensRepo } from "./adapters/db/tokens-repo.js";
import { mosquittoAcl, mosquittoPasswordLine } from "./adapters/mosquitto.js";
import { loadCommandKeys, promoteNextKey, stageNextKey } from "./adapters/signing-key.js";
import { ConfigError, loadControlPlaneConfig } from "./config.js";
import { DEFAULT_KINDS } from "./http/schemas.js";
import { runImport } from "./import-cli.js";
import { createLogger } from "./logger.js";
import { connectBrokerLogins, startControlPlane } from "./main.js";

function config(path?: string) {
  try {
    return loadControlPlaneConfig(process.env, path ? readFileSync(path, "utf8") : undefined);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`gatehouse: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

async function openDb(path?: string) {
  const cfg = config(path);
  const db = await Database.open({ url: cfg.GATEHOUSE_DB_URL });
  await applyMigrations(db, fileURLToPath(new URL("../migrations", import.meta.url)));
  return db;
}

/** The broker's logins, told of what the CLI changes when Gatehouse manages a Mosquitto. */
const brokerLogins = (path?: string) => connectBrokerLogins(config(path), createLogger("warn", "gatehouse"));

const program = new Command("gatehouse").description("Gatehouse control plane");
program
  .command("serve")
  .description("run the control plane (HTTP API, embedded MQTT broker)")
  .option("--config <file>", "YAML or JSON file with the GATEHOUSE_* keys")
  .action(async (o: { config?: string }) => {
    const cfg = config(o.config);
    const cp = await startControlPlane(cfg, createLogger(cfg.GATEHOUSE_LOG_LEVEL, "gatehouse"));
    const stop = async () => {
      await cp.stop();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });

program
  .command("import <file>")
  .description("bulk visits from a CSV or JSON file, through the API, with a progress bar")
  .requiredOption("--site <id>", "the site of rows that name none")
  .option(
    "--api <url>",
    "the control plane's URL (GATEHOUSE_API_URL)",
    process.env.GATEHOUSE_API_URL ?? "http://127.0.0.1:8080",
  )
  .option(
    "--token <token>",
    "an operator or admin API token (GATEHOUSE_API_TOKEN)",
    process.env.GATEHOUSE_API_TOKEN,
  )
  .option("--batch <n>", "rows a request", (v) => Number.parseInt(v, 10), 200)
  .option("--dry-run", "validate only", false)
  .action(
    async (
      file: string,
      o: { site: string; api: string; token?: string; batch: number; dryRun: boolean },
    ) => {
      if (!o.token) {
        console.error(
          "gatehouse import: give --token or set GATEHOUSE_API_TOKEN (an operator or admin token)",
        );
        process.exit(2);
      }
      try {
        process.exit(await runImport(file, { ...o, token: o.token, api: o.api.replace(/\/$/, "") }));
      } catch (e) {
        console.error(`gatehouse import: ${(e as Error).message}`);
        process.exit(1);
      }
    },
  );

const token = program.command("token").description("API tokens");
token
  .command("create")
  .description("create an API token and print it once")
  .addOption(new Option("--role <role>", "what the token may do").choices(ROLES).makeOptionMandatory())
  .option("--name <name>", "who or what uses it", "cli")
  .option("--expires <when>", "when it stops working: an ISO time, or a number of days (e.g. 90)")
  .option("--config <file>")
  .action(async (o: { role: Role; name: string; expires?: string; config?: string }) => {
    let expiresAt: string | undefined;
    if (o.expires !== undefined) {
      const days = /^\d+$/.test(o.expires) ? Number(o.expires) : undefined;
      const at = days !== undefined ? Date.now() + days * 86_400_000 : Date.parse(o.expires);
      if (!Number.isFinite(at) || at <= Date.now()) {
        console.error(`gatehouse: --expires '${o.expires}' must be a time in the future or a number of days`);
        process.exit(2);
      }
      expiresAt = new Date(at).toISOString();
    }
    const db = await openDb(o.config);
    const logins = await brokerLogins(o.config);
    const t = await new TokensRepo(db)
      .issue({ role: o.role, name: o.name, expiresAt }, SYSTEM.cli, (made) =>
        logins.consumerAdded(made.mqttUsername, made.token),
      )
      .finally(() => Promise.all([logins.close(), db.close()]));
    console.error(`token ${t.id} (${t.role}, ${t.name}${t.expiresAt ? `, until ${t.expiresAt}` : ""})`);
    console.log(t.token);
  });
token
  .command("list")
  .description("every API token with its role, expiry, last use and revocation (never the tokens themselves)")
  .option("--json", "one JSON object a line")
  .option("--config <file>")
  .action(async (o: { json?: boolean; config?: string }) => {
    const db = await openDb(o.config);
    const all = await new TokensRepo(db).list();
    db.close();
    if (o.json) for (const t of all) console.log(JSON.stringify(t));
    else {
      console.log(["ID", "ROLE", "NAME", "CREATED", "EXPIRES", "LAST USED", "REVOKED"].join("\t"));
      for (const t of all)
        console.log(
          [
            t.id,
            t.role,
            t.name,
            t.createdAt,
            t.expiresAt ?? "-",
            t.lastUsedAt ?? "never",
            t.revokedAt ?? "-",
          ].join("\t"),
        );
    }
  });
token
  .command("revoke <id>")
  .description("revoke a token: refused at once, its live streams and MQTT connections end within a second")
  .option("--config <file>")
  .action(async (id: string, o: { config?: string }) => {
    const db = await openDb(o.config);
    const t = await new TokensRepo(db).revoke(id, SYSTEM.cli);
    db.close();
    if (!t) {
      console.error(`gatehouse: no token ${id} (gatehouse token list shows them)`);
      process.exit(1);
    }
    const logins = await brokerLogins(o.config);
    await logins.removed(t.mqttUsername).finally(() => logins.close());
    console.log(`revoked ${t.id} (${t.role}, ${t.name}) at ${t.revokedAt}`);
  });

const site = program.command("site").description("sites");
site
  .command("add <id>")
  .description("register a site and print its agent's MQTT credentials once")
  .requiredOption("--name <name>", "the site's name")
  .option("--time-zone <zone>", "IANA time zone of the site", "UTC")
  .option("--language <en|ru>", "language of the site's emails: new hosts' and security incidents'", "en")
  .option("--mosquitto-passwd <file>", "also append the agent's login to this Mosquitto password_file")
  .option("--config <file>")
  .action(
    async (
      id: string,
      o: { name: string; timeZone: string; language: string; mosquittoPasswd?: string; config?: string },
    ) => {
      const valid = SiteId.safeParse(id);
      if (!valid.success) {
        console.error(`gatehouse: site id '${id}' ${valid.error.issues[0]?.message}`);
        process.exit(2);
      }
      try {
        assertTimeZone(o.timeZone);
      } catch {
        console.error(`gatehouse: --time-zone '${o.timeZone}' must be an IANA time zone, e.g. Asia/Almaty`);
        process.exit(2);
      }
      if (o.language !== "en" && o.language !== "ru") {
        console.error(`gatehouse: --language '${o.language}' must be en or ru`);
        process.exit(2);
      }
      const keys = loadCommandKeys(config(o.config).GATEHOUSE_SIGNING_KEY_FILE);
      const db = await openDb(o.config);
      const password = randomBytes(24).toString("base64url");
      const created = await new SitesRepo(db).create(
        { id, name: o.name, timeZone: o.timeZone, kinds: DEFAULT_KINDS, language: o.language },
        password,
        SYSTEM.cli,
      );
      db.close();
      if (created === "exists") {
        console.error(`gatehouse: site '${id}' exists already`);
        process.exit(1);
      }
      const logins = await brokerLogins(o.config);
      await logins.agentAdded(id, created.agentUsername, password).finally(() => logins.close());
      if (o.mosquittoPasswd) {
        appendFileSync(o.mosquittoPasswd, `${mosquittoPasswordLine(created.agentUsername, password)}\n`, {
          mode: 0o600,
        });
        console.error(
          `added ${created.agentUsername} to ${o.mosquittoPasswd}; regenerate the ACL: gatehouse mosquitto acl`,
        );
      }
      console.log(
        `AGENT_SITE_ID=${id}\nAGENT_MQTT_USERNAME=${created.agentUsername}\nAGENT_MQTT_PASSWORD=${password}\nAGENT_COMMAND_PUBLIC_KEY=${keys.agentSetting}`,
      );
    },
  );

const mosquitto = program
  .command("mosquitto")
  .description("password and ACL files for an external Mosquitto broker (deploy/mosquitto/)");
mosquitto
  .command("acl")
  .description("print the acl_file for every registered site")
  .option("--config <file>")
  .action(async (o: { config?: string }) => {
    const db = await openDb(o.config);
    const all = await new SitesRepo(db).list();
    db.close();
    process.stdout.write(
      mosquittoAcl(
        all.map((s) => ({
          id: s.id,
          usernames: [s.agentUsername, ...(s.previousAgentLogin ? [s.previousAgentLogin.username] : [])],
        })),
      ),
    );
  });
mosquitto
  .command("passwd <username>")
  .description("print a password_file line for a new random password (shown once, on stderr)")
  .action((username: string) => {
    const password = randomBytes(24).toString("base64url");
    console.log(mosquittoPasswordLine(username, password));
    console.error(`password for ${username} (shown once): ${password}`);
  });

const keys = program
  .command("keys")
  .description(
    "the Ed25519 key that signs commands, and its rotation (show → stage → update agents → promote)",
  );
keys
  .command("show")
  .description("print the public key(s) agents must trust")
  .option("--config <file>")
  .action((o: { config?: string }) => {
    console.log(
      `AGENT_COMMAND_PUBLIC_KEY=${loadCommandKeys(config(o.config).GATEHOUSE_SIGNING_KEY_FILE).agentSetting}`,
    );
  });
keys
  .command("stage")
  .description("create the next key; agents must then trust both keys printed")
  .option("--config <file>")
  .action((o: { config?: string }) => {
    const k = stageNextKey(config(o.config).GATEHOUSE_SIGNING_KEY_FILE);
    console.log(`AGENT_COMMAND_PUBLIC_KEY=${k.agentSetting}`);
    console.error("give every agent both keys, restart them, then run `gatehouse keys promote`");
  });
keys
  .command("promote")
  .description("sign with the staged key from the next start on; the old key signs nothing more")
  .option("--config <file>")
  .action((o: { config?: string }) => {
    try {
      const r = promoteNextKey(config(o.config).GATEHOUSE_SIGNING_KEY_FILE);
      console.log(`AGENT_COMMAND_PUBLIC_KEY=${r.keys.agentSetting}`);
      console.error(
        `the old key is kept as ${r.retired}; restart the control plane, then agents may drop the old key`,
      );
    } catch (e) {
      console.error(`gatehouse: ${(e as Error).message}`);
      process.exit(1);
    }
  });

// A failure with a stable code (a port in use, say) already says what to fix: no stack trace for campus IT.
await program.parseAsync().catch((e: unknown) => {
  if (!(e instanceof GatehouseError)) throw e;
  console.error(`gatehouse: ${e.message}`);
  process.exit(1);
});
