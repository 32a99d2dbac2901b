#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { GatehouseError } from "@gatehouse/shared";
import { applyMigrations, Database } from "@gatehouse/shared/db";
import { Command } from "commander";
import { MetaStore } from "./adapters/db/meta-store.js";
import { StoredRefusedLogins } from "./adapters/db/refused-logins.js";
import { ConfigError, loadAgentConfig } from "./config.js";
import type { Check } from "./doctor.js";
import { createLogger } from "./logger.js";
import { startAgent } from "./main.js";
import { exportReplica, importReplica } from "./replica-file.js";

function config(path: string | undefined) {
  try {
    return loadAgentConfig(process.env, path ? readFileSync(path, "utf8") : undefined);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`gatehouse-agent: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
}

const program = new Command("gatehouse-agent").description("Gatehouse site agent");
program
  .command("run")
  .description("run the agent")
  .option("--config <file>", "YAML or JSON file with the AGENT_* keys")
  .action(async (o: { config?: string }) => {
    const cfg = config(o.config);
    const log = createLogger(cfg.AGENT_LOG_LEVEL, "gatehouse-agent");
    const agent = await startAgent(cfg, log);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await agent.stop();
      process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
program
  .command("doctor")
  .description("check the config and every connection the agent needs; exit 0 only if all pass")
  .option("--config <file>", "YAML or JSON file with the AGENT_* keys")
  .action(async (o: { config?: string }) => {
    let cfg: ReturnType<typeof loadAgentConfig>;
    try {
      cfg = loadAgentConfig(process.env, o.config ? readFileSync(o.config, "utf8") : undefined);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      for (const p of e.problems) console.log(`✖ config  ${p}`);
      process.exit(1);
    }
    const token = await eventToken(cfg.AGENT_DB_URL);
    const db = await openStore(cfg.AGENT_DB_URL).catch(() => undefined);
    const refused = db ? new StoredRefusedLogins(new MetaStore(db)) : undefined;
    // Loaded here, not by `run`: the doctor brings the ISAPI client and its XML libraries with it.
    const { runDoctor } = await import("./doctor.js");
    const checks = await runDoctor(cfg, token, refused);
    db?.close();
    for (const c of checks) console.log(formatCheck(c));
    process.exit(checks.some((c) => c.status === "fail") ? 1 : 0);
  });

/** The agent's database with its migrations applied, for the export and import commands. */
async function openStore(url: string): Promise<Database> {
  const db = await Database.open({ url, synchronous: "FULL", secureDelete: true });
  await applyMigrations(db, fileURLToPath(new URL("../migrations", import.meta.url)));
  return db;
}

program
  .command("export")
  .description(
    "write the replica, unfinished commands and undelivered messages to a file (to move to a new box)",
  )
  .argument("<file>", "where to write (JSON Lines, mode 0600; it holds guests' names)")
  .option("--config <file>", "YAML or JSON file with the AGENT_* keys")
  .action(async (file: string, o: { config?: string }) => {
    const cfg = config(o.config);
    const db = await openStore(cfg.AGENT_DB_URL);
    try {
      const s = await exportReplica(db, cfg.AGENT_SITE_ID, file);
      console.log(
        `exported site ${cfg.AGENT_SITE_ID}: ${s.persons} persons, ${s.commands} commands above seq ${s.lastAppliedSeq}, ${s.outbox} undelivered messages → ${file}`,
      );
    } finally {
      db.close();
    }
  });
program
  .command("import")
  .description(
    "restore an exported file into this agent's (new, empty) database; the next run reconciles HikCentral with it",
  )
  .argument("<file>", "a file written by `gatehouse-agent export`")
  .option("--config <file>", "YAML or JSON file with the AGENT_* keys")
  .option("--force", "replace what this agent's database holds")
  .action(async (file: string, o: { config?: string; force?: boolean }) => {
    const cfg = config(o.config);
    const db = await openStore(cfg.AGENT_DB_URL);
    try {
      const s = await importReplica(db, cfg.AGENT_SITE_ID, file, { force: o.force ?? false });
      console.log(
        `imported site ${cfg.AGENT_SITE_ID}: ${s.persons} persons, ${s.commands} commands, ${s.outbox} undelivered messages (seq ${s.lastAppliedSeq}); start the agent to reconcile HikCentral`,
      );
    } catch (e) {
      if (!(e instanceof GatehouseError)) throw e;
      console.error(`gatehouse-agent: ${e.message}`);
      process.exitCode = 1;
    } finally {
      db.close();
    }
  });

/** The running agent's callback token, from its database, to send it a test push. */
async function eventToken(url: string): Promise<string | undefined> {
  try {
    const db = await Database.open({ url });
    try {
      const r = await db.read("SELECT value FROM meta WHERE key = 'event_token'");
      return r.rows[0] ? String(r.rows[0].value) : undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

export function formatCheck(c: Check): string {
  const mark = c.status === "pass" ? "✔" : c.status === "warn" ? "!" : "✖";
  return `${mark} ${c.name.padEnd(24)} ${c.detail}${c.fix ? `\n  ${"".padEnd(24)} fix: ${c.fix}` : ""}`;
}

// A failure with a stable code (a port in use, say) already says what to fix: no stack trace for campus IT.
await program.parseAsync().catch((e: unknown) => {
  if (!(e instanceof GatehouseError)) throw e;
  console.error(`gatehouse-agent: ${e.message}`);
  process.exit(1);
});
