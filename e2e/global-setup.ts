import { startManychatFake } from "../tests/fakes/manychat";

/**
 * Starts the ManyChat fake the app is pointed at (MANYCHAT_API_URL, see
 * playwright.config.ts), so saving a ManyChat API key is checked against ManyChat's wire
 * format: "<page_id>:<token>" is accepted, a token starting with "bad" is refused.
 */
export default async function globalSetup() {
  const port = Number(process.env.E2E_MANYCHAT_PORT);
  const fake = await startManychatFake(port).catch((err: Error) => {
    throw new Error(
      `Could not start the ManyChat fake on port ${port} (${err.message}). Another run may be using it: set E2E_PORT or E2E_MANYCHAT_PORT.`,
    );
  });
  return () => fake.close();
}
