// Public API of the display layer: each module adds one 'export * from' line here.
export {};
