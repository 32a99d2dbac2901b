export { buildAsyncApi, renderAsyncApiYaml } from "./asyncapi/build.js";
export * from "./errors.js";
export * from "./schemas/ack.js";
export * from "./schemas/command.js";
export * from "./schemas/common.js";
export * from "./schemas/passage.js";
export * from "./schemas/status.js";
export * from "./time.js";
export * from "./topics.js";
