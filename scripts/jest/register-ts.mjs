// setupFiles of the "light" jest project: lets plain Node load the TypeScript tests and sources (CommonJS) through
// tsx (esbuild; no type check: npm test runs `npm run typecheck` first). The light runner imports each test file
// with import(), so both hooks are needed: the ESM one for that import, the CommonJS one for require() inside.
import { register as registerCjs } from "tsx/cjs/api";
import { register as registerEsm } from "tsx/esm/api";

registerCjs();
registerEsm();
