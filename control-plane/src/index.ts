export { ConfigError, type ControlPlaneConfig, loadControlPlaneConfig } from "./config.js";
export { createLogger } from "./logger.js";
export { CONTROL_PLANE_VERSION, type RunningControlPlane, startControlPlane } from "./main.js";
