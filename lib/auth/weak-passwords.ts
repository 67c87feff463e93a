/**
 * Passwords an attacker tries first. A length rule alone lets `aaaaaaaaaa`, `1234567890`
 * or `password123` through; these are refused at sign-up (and by any future password
 * change) with a message saying why.
 *
 * A password is refused when, lower-cased, it can be cut entirely into guessable pieces:
 * a word of the list below (the most common passwords' stems, English and French, and
 * the user's own email), a run of one character, a stretch of the alphabet, the digits or
 * a keyboard row (either direction), a piece repeated, or a year. `password123`,
 * `qwerty123456`, `abcabcabcabc`, `marie.dupont@x.fr` are refused; anything with one
 * piece of its own (`correct horse battery`) is not. This is the bundled equivalent of a
 * "most common passwords" list for the lengths we accept (10+), not a strength meter.
 */

const COMMON = [
  // The most common passwords of 10+ characters (leaked-password top lists).
  "1q2w3e4r5t",
  "1q2w3e4r5t6y",
  "1qaz2wsx3edc",
  "1qazxsw2",
  "zaq12wsxcde3",
  "qazwsxedc",
  "qazwsxedcrfv",
  "passw0rd",
  "p@ssw0rd",
  "p@ssword",
  "pa55word",
  "trustno1",
  "letmein",
  "iloveyou",
  "jetaime",
  "loveyou",
  "whatever",
  "welcome",
  "bienvenue",
  "password",
  "motdepasse",
  "mot2passe",
  "changeme",
  "default",
  "secret",
  "admin",
  "administrator",
  "administrateur",
  "root",
  "login",
  "master",
  "superman",
  "batman",
  "spiderman",
  "starwars",
  "pokemon",
  "football",
  "baseball",
  "basketball",
  "soccer",
  "hockey",
  "dragon",
  "monkey",
  "shadow",
  "sunshine",
  "princess",
  "princesse",
  "michael",
  "jordan",
  "jennifer",
  "charlie",
  "freedom",
  "liberte",
  "computer",
  "internet",
  "chocolate",
  "chocolat",
  "bonjour",
  "soleil",
  "doudou",
  "loulou",
  "marseille",
  "nicolas",
  "qwerty",
  "azerty",
  "qwertz",
  "hello",
  "hellohello",
  "helloworld",
  "abc",
  "test",
  "testing",
  "test123",
  "user",
  "guest",
  "summer",
  "winter",
  "autumn",
  "spring",
  "january",
  "december",
  "pass",
  "mypassword",
  "mysecret",
  "yourpassword",
  "pdfanswers",
  "whatsapp",
  "manychat",
];

/** Alphabet, digits and keyboard rows (QWERTY, AZERTY, QWERTZ), read in both directions. */
const SEQUENCES = [
  "abcdefghijklmnopqrstuvwxyz",
  "01234567890",
  "qwertyuiop",
  "asdfghjkl",
  "zxcvbnm",
  "azertyuiop",
  "qsdfghjklm",
  "wxcvbn",
  "qwertzuiop",
  "yxcvbnm",
  "1qaz2wsx3edc4rfv5tgb",
  "qazwsxedcrfvtgb",
  "!@#$%^&*()",
].flatMap((s) => [s, [...s].reverse().join("")]);

const isYear = (piece: string) => /^(19|20)\d\d$/.test(piece);

/** A piece an attacker's word list or rules would produce on their own. */
function guessable(piece: string, words: Set<string>): boolean {
  if (words.has(piece)) return true;
  if (piece.length < 3) return false;
  if (/^(.)\1+$/.test(piece)) return true;
  if (isYear(piece)) return true;
  return SEQUENCES.some((s) => s.includes(piece));
}

/** Whether the text is one short unit repeated (abcabcabc, 1212121212, azazaz…). */
function repeated(text: string): boolean {
  for (let unit = 1; unit <= Math.min(6, text.length / 2); unit++) {
    let same = true;
    for (let i = unit; i < text.length && same; i++) same = text[i] === text[i - unit];
    if (same) return true;
  }
  return false;
}

/**
 * Why a password is refused, or null when it is acceptable. `email` adds the user's own
 * address and its parts to the list (a password made of one's email is the first guess).
 */
export function weakPasswordReason(password: string, email?: string): string | null {
  const text = password.normalize("NFKC").toLowerCase();
  const words = new Set(COMMON);
  if (email) {
    const address = email.trim().toLowerCase();
    const local = address.split("@")[0] ?? "";
    for (const w of [address, local, ...local.split(/[._+-]+/)]) if (w.length >= 3) words.add(w);
  }
  if (repeated(text)) return REASON;
  // Can the whole password be cut into guessable pieces? (dynamic programming over its end.)
  const ok: boolean[] = [true];
  for (let end = 1; end <= text.length; end++) {
    ok[end] = false;
    for (let start = 0; start < end && !ok[end]; start++) {
      if (ok[start] && guessable(text.slice(start, end), words)) ok[end] = true;
    }
  }
  // Digits or symbols alone around guessable pieces add nothing: "password123!".
  if (ok[text.length]) return REASON;
  const core = text.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  if (core !== text && core.length > 0 && weakPasswordReason(core, email) !== null) return REASON;
  return null;
}

const REASON =
  "is too common or too easy to guess (a well-known password, a sequence, a repetition or your email); use a phrase of a few unrelated words";
