import "server-only";
import pino from "pino";

/**
 * JSON-lines logger. Secrets never reach it: the redaction list covers every field
 * name that may carry one.
 */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "warn" : "info"),
  base: { service: "pdf-answers" },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: {
    paths: [
      "password",
      "*.password",
      "token",
      "*.token",
      "access_token",
      "*.access_token",
      "authorization",
      "*.authorization",
      "headers.authorization",
      "headers.cookie",
      "manychat_api_key",
      "*.manychat_api_key",
      "secret",
      "*.secret",
    ],
    censor: "[redacted]",
  },
});
