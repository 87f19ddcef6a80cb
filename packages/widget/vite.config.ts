import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The React library build: ESM, React and the client left to the host app. */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist/lib",
    lib: { entry: "src/index.ts", formats: ["es"], fileName: "nyang-widget" },
    rollupOptions: { external: ["react", "react-dom", "react/jsx-runtime", "react-dom/client", "@nyang/client"] },
  },
});
