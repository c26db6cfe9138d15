/**
 * How the browser tests launch Debian's Chromium (installed by scripts/ensure-services.sh: the tests never download
 * a browser): headless, without the background traffic a first start would make.
 */
export const CHROMIUM_LAUNCH = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};
