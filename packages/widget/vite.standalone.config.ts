import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** One script for pages without React: React, the client and the widget inside, as `window.Nyang`. */
export default defineConfig({
  plugins: [react()],
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "dist/standalone",
    lib: { entry: "src/standalone.tsx", formats: ["iife"], name: "Nyang", fileName: () => "nyang-widget.iife.js" },
  },
});
