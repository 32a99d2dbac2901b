import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";

/** Debian's Chromium (or CHROMIUM_PATH); undefined when the machine has none. */
export function chromiumBinary(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  return candidates.find((p): p is string => Boolean(p) && existsSync(p!));
}

/**
 * Headless Chromium driven by playwright-core (which downloads no browser of its own). The flags keep it
 * off the network: this machine's closed network refuses its background connections.
 */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Screenshots go to test-output/screenshots, which CI keeps with the rest of test-output. */
export function screenshotPath(name: string): string {
  const dir = join("test-output", "screenshots");
  mkdirSync(dir, { recursive: true });
  return join(dir, `${name}.png`);
}
