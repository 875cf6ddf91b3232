/** Every number of `value` as its 64-bit pattern (hex), so string equality of two results is bit equality. */
export function bits(value: unknown): string {
  const b = Buffer.alloc(8);
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "number") {
      b.writeDoubleLE(v);
      return b.toString("hex");
    }
    return v;
  });
}
