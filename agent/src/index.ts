export { type AgentConfig, ConfigError, loadAgentConfig } from "./config.js";
export { createLogger } from "./logger.js";
export { AGENT_VERSION, type RunningAgent, startAgent } from "./main.js";
export { type ParsedCommand, parseSignedCommand } from "./services/command-parser.js";
