// Public API of the analysis layer: each module adds one 'export * from' line here.
export {};
