export { deleteInBatches } from "./batched-delete.js";
export { applyMigrations, Database, type DatabaseOptions } from "./database.js";
export { openTempDatabase } from "./temp-database.js";
