/** Test helper: compiles dist/kernels/kernels.wasm (npm run build:wasm) when it is missing, then returns it. */
import { execSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { wasmKernels, WasmKernels } from "../../src/kernels";

export const WASM_FILE = path.resolve(__dirname, "..", "..", "dist", "kernels", "kernels.wasm");

export function ensureWasm(): WasmKernels {
  if (!fs.existsSync(WASM_FILE)) execSync("npm run build:wasm", { cwd: path.resolve(__dirname, "..", ".."), stdio: "ignore" });
  return wasmKernels();
}
