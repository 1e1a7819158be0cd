// Runs before each test file (vitest.config.ts `setupFiles`).
import { afterAll } from 'vitest';
import { removeScratchDirs } from './scratch.js';

// Registered first, so it runs last: after the file's own afterAll hooks have stopped their servers.
afterAll(removeScratchDirs);
