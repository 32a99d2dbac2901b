export { applyMigrations, Database, type DatabaseOptions } from "./database.js";
