// Public API of the experiments layer: each module adds one 'export * from' line here.
export {};
