import { DrizzleQueryError } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { log, redactError } from "./log";

const serialize = (err: unknown) => JSON.stringify(pino.stdSerializers.err(redactError(err) as Error));

describe("errors in the log", () => {
  const text = "Where is my order 4411?\nIt was due on Monday";
  const hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  it("a failed statement's parameters (message text, secret hash) are not logged; its SQL and cause are", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    // As postgres.js attaches them: fixed, and enumerable only in its debug mode.
    Object.defineProperties(cause, {
      query: { value: "select * from private.accept_inbound_message($1, $2)", enumerable: true },
      parameters: { value: [hash, text], enumerable: true },
    });
    const err = new DrizzleQueryError("select * from private.accept_inbound_message($1, $2)", [hash, text], cause);
    const out = serialize(err);
    expect(out).not.toContain("4411");
    expect(out).not.toContain(hash);
    expect(out).toContain("private.accept_inbound_message($1, $2)");
    expect(out).toContain("ECONNREFUSED");
    expect(out).toContain("[redacted]");
    // The error the caller holds is unchanged.
    expect(err.message).toContain("4411");
    expect((err.params as unknown[])[0]).toBe(hash);
  });

  it("PostgreSQL's detail, which quotes row values, is not logged", () => {
    const err = Object.assign(new Error("duplicate key value violates unique constraint"), {
      code: "23505",
      detail: `Key (webhook_secret_hash)=(${hash}) already exists.`,
    });
    const out = serialize(new Error("outer", { cause: err }));
    expect(out).not.toContain(hash);
    expect(out).toContain("duplicate key value");
  });

  it("the logger itself applies it to `err`", () => {
    const serializer = (log as unknown as Record<symbol, Record<string, (e: unknown) => unknown>>)[
      pino.symbols.serializersSym
    ]?.err;
    const err = new DrizzleQueryError("insert into messages values ($1)", [text], new Error("boom"));
    expect(JSON.stringify(serializer?.(err))).not.toContain("4411");
  });

  it("anything that is not an error passes through", () => {
    expect(redactError("plain")).toBe("plain");
    expect(redactError(null)).toBeNull();
  });
});
