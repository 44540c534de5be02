// ESLint (flat config) for the UI: typescript-eslint's type-checked
// recommended rules over frontend/src, the recommended JS rules over the
// browser tests and scripts. `npm run lint` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const dir = import.meta.dirname;

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { project: [`${dir}/tsconfig.json`], tsconfigRootDir: dir },
    },
    rules: {
      // Unused names fail the type check already (noUnusedLocals); `_` marks a deliberate one.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Promises handed to event listeners are marked with `void`.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'module',
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        fetch: 'readonly',
        URL: 'readonly',
        window: 'readonly',
        document: 'readonly',
        performance: 'readonly',
        requestAnimationFrame: 'readonly',
        getComputedStyle: 'readonly',
        MutationObserver: 'readonly',
        location: 'readonly',
        localStorage: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
