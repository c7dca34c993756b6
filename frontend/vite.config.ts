/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  server: { host: "127.0.0.1", port: 5173, strictPort: true },
  preview: { host: "127.0.0.1", port: 5173, strictPort: true },
  build: { sourcemap: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    // The unit tests run in Node with a browser DOM: take tus-js-client's browser build, as the app's bundle does.
    alias: { "tus-js-client": "tus-js-client/lib.esm/browser/index.js" },
    setupFiles: ["src/test-setup.ts"],
    restoreMocks: true,
    // Whole-app tests render dozens of cards in jsdom; on a machine shared with
    // other builds 5 s is too tight for them.
    testTimeout: 20_000,
  },
});
