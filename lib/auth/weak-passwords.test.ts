import { describe, expect, it } from "vitest";
import { weakPasswordReason } from "./weak-passwords";

describe("weakPasswordReason", () => {
  it.each([
    "aaaaaaaaaa",
    "1234567890",
    "0987654321",
    "9876543210",
    "abcdefghij",
    "ZYXWVUTSRQ",
    "qwertyuiop",
    "azertyuiop",
    "asdfghjkl;",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "password123",
    "Password1234",
    "P@ssw0rd2024",
    "password!!!",
    "iloveyou123",
    "motdepasse123",
    "qwerty123456",
    "abc123456789",
    "abcabcabcabc",
    "1212121212",
    "azazazazaz",
    "welcome2024",
    "letmein12345",
    "dragon1990!",
    "monkeydragon",
    "hellohello",
  ])("%s is refused", (password) => {
    expect(weakPasswordReason(password)).toMatch(/common|guess/);
  });

  it("the user's own email, or its parts, is refused", () => {
    const email = "marie.dupont@example.fr";
    expect(weakPasswordReason(email, email)).not.toBeNull();
    expect(weakPasswordReason("marie.dupont", email)).not.toBeNull();
    expect(weakPasswordReason("mariedupont2024", email)).not.toBeNull();
    expect(weakPasswordReason("Dupont123456", email)).not.toBeNull();
  });

  it.each([
    "correct horse battery",
    "a long enough password",
    "another long password",
    "Tr0ub4dor&3xyz",
    "le vélo bleu de Marie",
    "kz8!Qm2#vL0p",
    "sunshine over the harbour",
    "dragon monkey sunshine",
  ])("%s is accepted", (password) => {
    expect(weakPasswordReason(password, "someone@example.test")).toBeNull();
  });
});
