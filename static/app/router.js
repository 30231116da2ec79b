// Hash routes: #/login, #/signup, #/forgot, #/projects, #/projects/{id}/{phase}; and the
// /reset-password and /verify-email pages that e-mailed links open, and /join that invite links
// open (token in the hash, #token=).

import { DESIGN_PHASES } from './contract.js'
import { t } from './i18n.js'

/** The design-thinking phases, in order: one workspace page each. */
export const PHASES = DESIGN_PHASES
/**
 * The phases' names as people read them, in the language shown now (each read is a lookup, so
 * keep the object and read it when rendering: `PHASE_NAMES.define`, or `phaseName(id)`).
 * @type {Readonly<Record<string, string>>}
 */
export const PHASE_NAMES = Object.freeze({
  get empathize() {
    return t('phase.empathize')
  },
  get define() {
    return t('phase.define')
  },
  get ideate() {
    return t('phase.ideate')
  },
  get prototype() {
    return t('phase.prototype')
  },
  get test() {
    return t('phase.test')
  }
})

/** A phase's name in the language shown now (an unknown id as it is). @param {string} id */
export function phaseName(id) {
  return Object.hasOwn(PHASE_NAMES, id) ? PHASE_NAMES[id] : id
}

/**
 * @typedef {{name: 'login'|'signup'|'forgot'|'reset'|'verify'|'join'|'projects'|'workspace', token?: string,
 *   projectId?: string, phase?: string}} Route
 */

/** The route the current URL names. @returns {Route} */
export function currentRoute() {
  const linkPages = { '/reset-password': 'reset', '/verify-email': 'verify', '/join': 'join' }
  if (location.pathname in linkPages) {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''))
    return { name: linkPages[location.pathname], token: params.get('token') || '' }
  }
  const parts = location.hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent)
  switch (parts[0]) {
    case 'login':
      return { name: 'login' }
    case 'signup':
      return { name: 'signup' }
    case 'forgot':
      return { name: 'forgot' }
    case 'projects':
      if (parts[1]) {
        const phase = PHASES.includes(parts[2]) ? parts[2] : 'empathize'
        return { name: 'workspace', projectId: parts[1], phase }
      }
      return { name: 'projects' }
    default:
      return { name: 'projects' }
  }
}

/** The hash of a route. @param {Route} route */
export function hrefFor(route) {
  if (route.name === 'workspace') {
    return `#/projects/${encodeURIComponent(route.projectId || '')}/${route.phase || 'empathize'}`
  }
  return `#/${route.name}`
}

/** Go to a route (leaving /reset-password or /verify-email for the page root). @param {Route} route */
export function navigate(route) {
  const hash = hrefFor(route)
  if (location.pathname !== '/') {
    history.pushState(null, '', `/${hash}`)
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  } else if (location.hash !== hash) {
    location.hash = hash
  } else {
    window.dispatchEvent(new HashChangeEvent('hashchange'))
  }
}

/** Call `fn` with the route now and on every change. @param {(r: Route) => void} fn */
export function onRoute(fn) {
  const run = () => fn(currentRoute())
  window.addEventListener('hashchange', run)
  window.addEventListener('popstate', run)
  run()
}
