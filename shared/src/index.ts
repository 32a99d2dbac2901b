export { buildAsyncApi, renderAsyncApiYaml } from "./asyncapi/build.js";
export { type EndableMqttClient, endMqttClient, settledWithin } from "./bounded-wait.js";
export {
  type CommandSigner,
  generateSigningKeyPem,
  parsePublicKey,
  parsePublicKeys,
  type SignatureCheck,
  signedBytes,
  signerFromPem,
  type TrustedKey,
  verifyCommandSignature,
} from "./command-signing.js";
export { ConfigError, type ConfigSpec, loadConfig, TimeZone } from "./config.js";
export * from "./errors.js";
export { ndjsonLines } from "./ndjson.js";
export { MINIMUM_NODE_MAJOR, unsupportedRuntime } from "./runtime.js";
export * from "./schemas/ack.js";
export * from "./schemas/agent-report.js";
export * from "./schemas/command.js";
export * from "./schemas/common.js";
export * from "./schemas/field-codes.js";
export * from "./schemas/incident.js";
export * from "./schemas/occupancy.js";
export * from "./schemas/passage.js";
export * from "./schemas/resync.js";
export * from "./schemas/status.js";
export * from "./schemas/terminal-alarm.js";
export * from "./schemas/text.js";
export * from "./schemas/visit-event.js";
export * from "./schemas/visit-fields.js";
export { SerialLoop } from "./serial-loop.js";
export * from "./time.js";
export * from "./topics.js";
