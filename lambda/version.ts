/** The checker's version, as package.json states it (test/bundle-page.test.ts keeps the two equal). */
export const CHECKER_VERSION = '0.1.0';
