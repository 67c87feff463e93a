import { is, sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as schema from "@/lib/db/schema";
import { openDirectDatabase } from "./support/direct-db";

// The SQL migrations are the source of truth; lib/db/schema.ts must describe exactly
// the tables and columns they create, or typed queries would drift from reality.
let db: Awaited<ReturnType<typeof openDirectDatabase>>;
beforeAll(async () => {
  db = await openDirectDatabase();
});
afterAll(async () => {
  await db?.closeDatabase();
});

const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));

it("covers every table the migrations create in public", async () => {
  const found = await db.asService("test", (tx) =>
    db.rows<{ table_name: string }>(
      tx,
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    ),
  );
  expect(tables.map((t) => getTableConfig(t).name).sort()).toEqual(found.map((r) => r.table_name).sort());
});

it.each(tables.map((t) => [getTableConfig(t).name, t] as const))(
  "%s: columns, types and nullability match the database",
  async (name, table) => {
    const actual = await db.asService("test", (tx) =>
      db.rows<{ column_name: string; udt_name: string; is_nullable: string }>(
        tx,
        sql`select column_name, udt_name, is_nullable from information_schema.columns
            where table_schema = 'public' and table_name = ${name}`,
      ),
    );
    const udt: Record<string, string> = {
      uuid: "uuid",
      text: "text",
      integer: "int4",
      bigint: "int8",
      boolean: "bool",
      jsonb: "jsonb",
      "timestamp with time zone": "timestamptz",
      "vector(1536)": "vector",
      tsvector: "tsvector",
      regconfig: "regconfig",
      "integer[]": "_int4",
    };
    const declared = getTableConfig(table).columns.map((c) => ({
      column_name: c.name,
      udt_name: udt[c.getSQLType()] ?? c.getSQLType(),
      is_nullable: c.notNull ? "NO" : "YES",
    }));
    const byName = (a: { column_name: string }, b: { column_name: string }) =>
      a.column_name.localeCompare(b.column_name);
    expect(declared.sort(byName)).toEqual(actual.sort(byName));
  },
);
