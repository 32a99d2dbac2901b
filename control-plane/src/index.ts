export {
  CONSUMER_USER,
  CONTROL_PLANE_USER,
  mosquittoAcl,
  mosquittoPasswordLine,
} from "./adapters/mosquitto.js";
export { ConfigError, type ControlPlaneConfig, loadControlPlaneConfig } from "./config.js";
export { createLogger } from "./logger.js";
export { CONTROL_PLANE_VERSION, type RunningControlPlane, startControlPlane } from "./main.js";
