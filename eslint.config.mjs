import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      '**/dist/',
      'extension/lib/',
      'mode/lib/',
      '.cache/',
      'coverage/',
      'models/test-tiny/',
      'models/baseline/*.onnx',
      'models/baseline/manifest.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // engine/ and dicom/ run anywhere: no Node-only, DOM or OHIF imports.
    files: ['extension/src/engine/**/*.ts', 'extension/src/dicom/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'node:*',
                'fs',
                'path',
                'os',
                'zlib',
                'crypto',
                'worker_threads',
                'child_process',
                'http',
                'https',
              ],
              message: 'engine/ and dicom/ must not import Node-only modules',
            },
            {
              group: ['@ohif/*', '@cornerstonejs/*', 'react', 'react-dom'],
              message: 'only host/ touches OHIF/cornerstone',
            },
            { group: ['onnxruntime-node'], message: 'inject the runtime; engine/ must run in a browser too' },
            {
              group: ['**/host/*', '**/panel/*', '**/worker/*', '**/cli/*'],
              message: 'dependency direction: engine/dicom import nothing of host/panel/worker/cli',
            },
          ],
        },
      ],
    },
  },
);
