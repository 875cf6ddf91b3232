// Public API of the experiments layer: each module adds one 'export * from' line here.
export {};
export * from "./runners";
export * from "./cache";
export * from "./sweep";
export * from "./provenance";
export * from "./benchmark";
export * from "./rankOneTrain";
export * from "./fig4";
export * from "./fig1";
export * from "./fig2";
export * from "./fig3";
export * from "./daTrain";
export * from "./lrSweep";
export * from "./figS1";
export * from "./figRank";
