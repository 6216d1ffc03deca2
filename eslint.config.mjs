import nx from '@nx/eslint-plugin';

// Who may import whom (Nx tags, see each project.json). Apps never import each other: they talk over the broker.
const depConstraints = [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:contracts', 'type:lib', 'type:testing', 'type:client'] },
  // The front-end client (libs/messaging-client) runs in browsers: contracts (types) only, no server libs.
  { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:contracts'] },
  // The web console (apps/console) talks to the system only through the client; contracts for types.
  { sourceTag: 'type:frontend', onlyDependOnLibsWithTags: ['type:client', 'type:contracts'] },
  { sourceTag: 'scope:console', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:gateway', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:channels', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:messages', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:notifications', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:activation-rules', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
];

// Tests may also use the testing library (builders, tokens, expectEventually).
const testDepConstraints = depConstraints.map((c) =>
  c.sourceTag === 'type:app' || c.sourceTag === 'type:lib'
    ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] }
    : c,
);

const focusedOrSkipped = ['it', 'describe', 'test'].flatMap((object) => [
  { object, property: 'only', message: 'no focused tests' },
  { object, property: 'skip', message: 'no skipped tests' },
]);

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '.tools/**', '.nx/**', 'reports/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      // Config classes annotate defaulted properties so class-transformer can convert env strings to their type.
      '@typescript-eslint/no-inferrable-types': ['error', { ignoreProperties: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', ...focusedOrSkipped],
      'no-restricted-globals': ['error', 'fit', 'fdescribe', 'xit', 'xdescribe', 'xtest'],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', '**/*.faults-spec.ts', '**/*.fuzz-spec.ts', '**/*.browser-spec.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: testDepConstraints }] },
  },
];
