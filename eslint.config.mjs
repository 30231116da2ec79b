// ESLint for the browser app (static/): `tests/node_modules/.bin/eslint static` from the repo root,
// or scripts/check-static; and for the JavaScript client (`eslint sdk/js`). The tools are devDependencies of the npm project in tests/ (there is no
// package.json at the root), so their plugins are resolved from there rather than from this file.
// .mjs rather than .js: without a root package.json saying "type": "module", Node would take a .js
// file for CommonJS.
import { createRequire } from 'node:module'

const require = createRequire(new URL('./tests/package.json', import.meta.url))
const js = require('@eslint/js')
const globals = require('globals')

// Browser globals that are also common local names: a missing declaration of `name` or `status`
// would silently read window.name or window.status instead of failing no-undef. (`location` and
// `history` are left out: the router and the sockets use them on purpose.)
// prettier-ignore
const CONFUSING_GLOBALS = [
  'addEventListener', 'blur', 'close', 'closed', 'confirm', 'defaultStatus', 'event', 'external',
  'find', 'focus', 'frames', 'innerHeight', 'innerWidth', 'length', 'locationbar', 'menubar',
  'moveBy', 'moveTo', 'name', 'onblur', 'onerror', 'onfocus', 'onload', 'onresize', 'onunload',
  'open', 'opener', 'opera', 'outerHeight', 'outerWidth', 'pageXOffset', 'pageYOffset', 'parent',
  'print', 'removeEventListener', 'resizeBy', 'resizeTo', 'screen', 'screenLeft', 'screenTop',
  'screenX', 'screenY', 'scroll', 'scrollbars', 'scrollBy', 'scrollTo', 'scrollX', 'scrollY',
  'self', 'status', 'statusbar', 'stop', 'toolbar', 'top'
]

export default [
  // Vendored third-party code, rebuilt byte for byte by scripts/vendor/build.sh.
  { ignores: ['static/vendor/**'] },
  {
    files: ['static/**/*.js'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals.browser }
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // eslint:recommended (no-undef, no-unused-vars, no-unreachable, ...), then what catches real
      // bugs in browser ES modules beyond it.
      ...js.configs.recommended.rules,
      'no-unused-vars': ['error', { args: 'after-used', ignoreRestSiblings: true }],
      eqeqeq: ['error', 'always'],
      'prefer-const': 'error',
      // A braceless if/else body on a line of its own invites the added-line-runs-always bug;
      // an if/else chain braces all its branches or none.
      curly: ['error', 'multi-line', 'consistent'],
      'no-shadow': 'error',
      'no-var': 'error',
      'no-restricted-globals': ['error', ...CONFUSING_GLOBALS],
      'array-callback-return': 'error',
      'no-constructor-return': 'error',
      'no-promise-executor-return': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
      'no-throw-literal': 'error',
      'prefer-promise-reject-errors': 'error',
      // Markup built from strings would bypass h(), whose text goes in as text: no HTML sinks.
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML'].map((property) => ({
          property,
          message: 'Build elements with h() from dom.js: text never becomes markup.'
        })),
        { object: 'document', property: 'write', message: 'Build elements with h() from dom.js.' }
      ]
    }
  },
  // The JavaScript client (sdk/js): modules that run in browsers and Node alike, so only the
  // globals both have; its tests run under Node. The same bug-catching rules as static/.
  {
    files: ['sdk/js/**/*.js', 'sdk/js/**/*.mjs'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      globals: { ...globals['shared-node-browser'] }
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      ...js.configs.recommended.rules,
      'no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', ignoreRestSiblings: true }
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      curly: ['error', 'multi-line', 'consistent'],
      'no-shadow': 'error',
      'no-var': 'error',
      'array-callback-return': 'error',
      'no-constructor-return': 'error',
      'no-promise-executor-return': 'error',
      'no-self-compare': 'error',
      'no-template-curly-in-string': 'error',
      'no-unmodified-loop-condition': 'error',
      'no-unreachable-loop': 'error',
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-throw-literal': 'error',
      'prefer-promise-reject-errors': 'error'
    }
  },
  {
    files: ['sdk/js/test/**/*.mjs'],
    languageOptions: { globals: { ...globals.node } }
  }
]
