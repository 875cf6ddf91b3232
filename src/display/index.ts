// Public API of the display layer: each module adds one 'export * from' line here.
export * from "./plotly";
export * from "./show";
export * from "./progress";
export * from "./fig4";
export * from "./fig1";
export * from "./fig2";
export * from "./fig3";
export * from "./figS1";
export * from "./figRank";
export * from "./checks";
export * from "./v2fig8";
