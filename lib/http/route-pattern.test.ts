import { describe, expect, it } from "vitest";
import { routePattern } from "./route";

// Metrics are labelled with the route's pattern: one series per route, not per id.
describe("routePattern", () => {
  it("puts the parameter names back in place of their values", () => {
    const id = "0b7c2d1e-8f4a-4c3b-9d2e-1a2b3c4d5e6f";
    expect(routePattern(`/api/v1/documents/${id}`, { id })).toBe("/api/v1/documents/[id]");
    expect(routePattern(`/api/v1/documents/${id}/complete`, { id })).toBe("/api/v1/documents/[id]/complete");
    expect(routePattern("/api/v1/health", {})).toBe("/api/v1/health");
  });

  it("replaces the segment holding the value, even when the value is also a static word", () => {
    expect(routePattern("/api/v1/admin/users/users", { id: "users" })).toBe("/api/v1/admin/users/[id]");
    expect(routePattern("/api/v1/x/a%20b", { id: "a b" })).toBe("/api/v1/x/[id]");
  });

  it("collapses a catch-all to one pattern, whatever the unknown path", () => {
    expect(routePattern("/api/v1/no/such/thing", { path: ["no", "such", "thing"] })).toBe("/api/v1/[...path]");
    expect(routePattern("/api/v1/nope", { path: ["nope"] })).toBe("/api/v1/[...path]");
  });
});
