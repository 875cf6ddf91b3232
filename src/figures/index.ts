// Public API of the figures layer: one module per paper figure (config → plain data).
export * from "./fig1";
export * from "./fig2";
export * from "./fig3";
export * from "./fig4";
export * from "./figS1";
export * from "./figRank";
// Paper checks: checkFigN(data) → rows {quantity, paper, ours, holds, mustHold, why}.
export * from "./checks";
export * from "./fig1Check";
export * from "./fig2Check";
export * from "./fig3Check";
export * from "./fig4Check";
export * from "./figS1Check";
export * from "./figRankCheck";
export * from "./v2fig8";
export * from "./v2fig8Check";
