import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderAsyncApiYaml } from "./build.js";

const target = fileURLToPath(new URL("../../asyncapi.yaml", import.meta.url));
writeFileSync(target, renderAsyncApiYaml());
console.log(`wrote ${target}`);
