// ESLint (flat config) with typescript-eslint, for every TypeScript file in the repo. Formatting is
// Prettier's job (.prettierrc.json); this file only holds rules about code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', '.astro/', 'node_modules/', 'test-results/', 'playwright-report/', 'public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-undef': 'off', // TypeScript checks names; ESLint's globals list would only duplicate it
      eqeqeq: ['error', 'smart'],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Tests: long describe() blocks are fine.
    files: ['**/__tests__/**', 'tests/**', 'bench/**'],
    rules: {
      'max-lines-per-function': 'off',
      // Fakes stand in for client-node's wide types; terminal output is stripped of escape codes.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-control-regex': 'off',
    },
  },
);
