// Public API of the models layer: each module adds one 'export * from' line here.
export {};
export * from "./saddleNode";
export * from "./rnn";
export * from "./flow";
export * from "./taskRnn";
