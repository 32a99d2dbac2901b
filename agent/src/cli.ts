#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { ConfigError, loadAgentConfig } from "./config.js";
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
await program.parseAsync();
