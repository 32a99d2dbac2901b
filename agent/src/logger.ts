import pino, { type Logger } from "pino";

/** Paths that may hold secrets or personal photos; pino replaces them before anything is written. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "appSecret",
  "*.appSecret",
  "secret",
  "*.secret",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "faceData",
  "*.faceData",
  "photo",
  "*.photo",
  "AGENT_MQTT_PASSWORD",
  "AGENT_HIKCENTRAL_APP_SECRET",
];

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}
