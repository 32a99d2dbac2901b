export { deleteInBatches } from "./batched-delete.js";
export { applyMigrations, Database, type DatabaseOptions } from "./database.js";
export type { OneRowStatement, Statement } from "./local-connection.js";
export { openTempDatabase } from "./temp-database.js";
