import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The operators' console: a static site (stacks/console.ts builds it with VITE_NYANG_API_URL). */
export default defineConfig({
  plugins: [react()],
  build: { outDir: "dist", chunkSizeWarningLimit: 1024 },
});
