import pino, { type Logger } from "pino";

export const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "photo",
  "*.photo",
  "agentCredentials",
  "GATEHOUSE_SMTP_URL",
  "GATEHOUSE_ADMIN_TOKEN",
  "GATEHOUSE_DB_AUTH_TOKEN",
];

export function createLogger(level: string, name: string, destination?: pino.DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } }, destination);
}
