#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Database } from "@gatehouse/shared/db";
import { Command } from "commander";
import { ConfigError, loadAgentConfig } from "./config.js";
import { type Check, runDoctor } from "./doctor.js";
import { createLogger } from "./logger.js";
import { startAgent } from "./main.js";

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
    const checks = await runDoctor(cfg, token);
    for (const c of checks) console.log(formatCheck(c));
    process.exit(checks.some((c) => c.status === "fail") ? 1 : 0);
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

await program.parseAsync();
