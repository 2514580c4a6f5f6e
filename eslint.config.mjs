// ESLint flat config: typescript-eslint recommendedTypeChecked plus the rules STYLE.md asks for.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';
import moduleBoundaries from './eslint-rules/module-boundaries.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.mjs', 'data/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    // Modules import each other only through their index.ts; src/common/ is a shared library that imports
    // no module (docs/architecture.md "Module boundaries", ADR 0028).
    plugins: { authms: { rules: { 'module-boundaries': moduleBoundaries } } },
    rules: {
      'authms/module-boundaries': [
        'error',
        { srcDir: 'src', shared: ['common'], compositionOnly: { config: ['cli'] } },
      ],
    },
  },
  {
    // End-to-end tests may also look at a module's tables and migrations directly (to check what is
    // stored, e.g. only hashes); everything else they use through the module's index.ts like any caller.
    files: ['test/**/*.ts'],
    rules: {
      'authms/module-boundaries': [
        'error',
        {
          srcDir: 'src',
          shared: ['common'],
          compositionOnly: { config: ['cli'] },
          allowInternal: ['entities', 'migrations'],
        },
      ],
    },
  },
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Nest decorators and class-validator need classes that are "extraneous" to the linter.
      '@typescript-eslint/no-extraneous-class': 'off',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'multi-line'],
      'no-console': 'error',
    },
  },
  {
    // Tests assert on untyped JSON bodies; unsafe member access there is the point, not a bug.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
    },
  },
);
