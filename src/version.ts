/** The library version, kept equal to package.json's (a test checks). */
export const LIBRARY_VERSION = "0.1.0";
