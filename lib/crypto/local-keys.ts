import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { config } from "@/lib/config";

/**
 * Keys the embedded mode generates on first start and keeps under DATA_DIR/keys
 * (mode 0600), so a restart keeps sessions valid and encrypted secrets readable.
 */
export function readOrCreateKeyFile(name: string, create: () => string): string {
  const dir = path.join(config().dataDir, "keys");
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = create();
  try {
    // wx: if another process created it meanwhile, theirs wins and we read it back.
    fs.writeFileSync(file, value, { mode: 0o600, flag: "wx" });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fs.readFileSync(file, "utf8");
  }
}

export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}
