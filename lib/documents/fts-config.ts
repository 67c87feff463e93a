/** Postgres text search configuration for a tenant language (stemming, stop words). */
const configs: Record<string, string> = {
  fr: "french",
  en: "english",
  es: "spanish",
  de: "german",
  it: "italian",
  pt: "portuguese",
  nl: "dutch",
  ar: "arabic",
};

export function ftsConfigFor(language: string | undefined): string {
  return (language && configs[language]) || "simple";
}
