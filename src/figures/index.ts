// Public API of the figures layer: one module per paper figure (config → plain data).
export * from "./fig1";
export * from "./fig2";
export * from "./fig3";
export * from "./fig4";
export * from "./figS1";
export * from "./figRank";
