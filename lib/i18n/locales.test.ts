import { describe, expect, it } from "vitest";
import { localeFromAcceptLanguage, pickLocale } from "./locales";
import { MESSAGES } from "./messages";

const { en, fr } = MESSAGES;

describe("locale choice", () => {
  it("follows the browser's preferred supported language", () => {
    expect(localeFromAcceptLanguage("fr-FR,fr;q=0.9,en;q=0.8")).toBe("fr");
    expect(localeFromAcceptLanguage("de-DE,de;q=0.9,fr;q=0.5,en;q=0.7")).toBe("en");
    expect(localeFromAcceptLanguage("de, it")).toBeNull();
    expect(localeFromAcceptLanguage("en;q=0, fr;q=0.1")).toBe("fr");
  });
  it("lets the switcher's cookie win, and falls back to English", () => {
    expect(pickLocale("fr", "en-US")).toBe("fr");
    expect(pickLocale("xx", "fr-CA")).toBe("fr");
    expect(pickLocale(undefined, undefined)).toBe("en");
  });
});

describe("messages", () => {
  const keys = (o: object, prefix = ""): string[] =>
    Object.entries(o).flatMap(([k, v]) =>
      typeof v === "object" && v !== null ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
    );
  it("French and English have the same keys, none empty", () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const messages of [en, fr]) {
      for (const k of keys(messages)) {
        const value = k.split(".").reduce<unknown>((o, part) => (o as Record<string, unknown>)[part], messages);
        expect(String(value).trim(), k).not.toBe("");
      }
    }
  });
});
