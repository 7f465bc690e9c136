#!/usr/bin/env node
// The published entry point. Node >= 22.18 runs the TypeScript sources directly (type stripping);
// inside this project npm puts Node 24 from the `node` package first on PATH.
import '../src/cli/main.ts';
