import { afterEach } from "vitest";

const pending: (() => unknown)[] = [];

// Registered in every test file that imports this helper: what a test set up is undone after it,
// last first, even when the test failed.
afterEach(async () => {
  for (const undo of pending.splice(0).reverse()) await undo();
});

/** Undo `fn` after the current test. */
export function onCleanup(fn: () => unknown): void {
  pending.push(fn);
}
