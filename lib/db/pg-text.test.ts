import { describe, expect, it } from "vitest";
import { errorText, pgText } from "./pg-text";

describe("pgText", () => {
  it("replaces NUL with a space and lone surrogates with U+FFFD, keeping pairs", () => {
    expect(pgText("a\u0000b")).toBe("a b");
    expect(pgText("x\ud800y\udc00z")).toBe("x\ufffdy\ufffdz");
    expect(pgText("emoji 😀 stays")).toBe("emoji 😀 stays");
  });
});

describe("errorText", () => {
  it("drops control characters but keeps newlines and tabs", () => {
    expect(errorText("invalid byte \u0000 at\u0007 line\n\tnext")).toBe("invalid byte   at line\n\tnext");
  });

  it("bounds the length without leaving half a surrogate pair", () => {
    const long = `${"a".repeat(9)}😀tail`;
    const cut = errorText(long, 11);
    expect(cut).toHaveLength(11);
    expect(cut).toBe(`${"a".repeat(9)}\ufffd…`);
    expect(errorText("short", 11)).toBe("short");
  });

  it("accepts anything thrown", () => {
    expect(errorText(42)).toBe("42");
  });
});
