import { chromium, type Browser } from 'playwright-core';

/**
 * The browser every browser test drives: Debian's Chromium (installed by scripts/setup-system.sh,
 * never downloaded by Playwright), headless, without sandbox, GPU or background traffic.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
