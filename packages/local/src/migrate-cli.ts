/** The entry of `npm run migrate` (migrate.ts). */
import { migrateCommand } from "./migrate.ts";

process.exitCode = await migrateCommand(process.argv.slice(2), { stderr: (line) => console.error(line), env: process.env });
