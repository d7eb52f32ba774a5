import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** The domain modules under src/ (everything but the platform). */
const DOMAIN_MODULES = readdirSync(new URL('./src', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'platform')
  .map((entry) => entry.name);

const CCXT_RESTRICTION = {
  name: 'ccxt',
  message: 'ccxt stays behind the exchange module: use the ExchangePort and its error codes.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      '.tmp/**',
      'openapi.json',
      '*.config.js',
      '*.config.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Module boundaries: ccxt stays behind the exchange module, a module reaches another's tables only
  // through its services (type imports of an entity are fine), and the platform knows no domain.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/exchange/**', 'src/platform/**', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [CCXT_RESTRICTION],
          patterns: [
            {
              group: ['../*/*.entity', '../../*/*.entity', '../*/*/*.entity'],
              allowTypeImports: true,
              message: "Another module's entity: go through that module's service (a type import is fine).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [CCXT_RESTRICTION],
          patterns: [
            {
              group: DOMAIN_MODULES.flatMap((name) => [`../../${name}/**`, `../../../${name}/**`]),
              message: 'The platform has no business rules: it may not import a domain module.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
