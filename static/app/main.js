// Entry point: pick the language, find out who is signed in (and the language of the account),
// then show the page the URL names. A change of language relabels the page in place.
import { onRoute, navigate, currentRoute } from './router.js'
import { loadUser, currentUser, forget, takeFlash } from './session.js'
import { setLocale, initialLocale, onLocaleChange, t, FALLBACK_LOCALE } from './i18n.js'
import { onSessionExpired } from './api.js'
import { toast } from './dom.js'
import { loginView, signupView, forgotView, resetView, verifyView, joinView } from './views/auth.js'
import { projectsView } from './views/projects.js'
import { Workspace } from './views/workspace.js'

const root = document.getElementById('app')
/** @type {Workspace | null} */
let workspace = null
let shownKey = ''
/** Where to go after signing in (a project link opened while signed out). */
let returnTo = null

function show(el) {
  root.replaceChildren(el)
  const heading = el.querySelector('h1, h2')
  if (heading) {
    heading.tabIndex = -1
    heading.focus({ preventScroll: true })
  }
}

function leaveWorkspace() {
  if (workspace) {
    workspace.destroy()
    workspace = null
  }
}

/** @param {import('./router.js').Route} route */
function render(route) {
  const key = JSON.stringify(route)
  if (key === shownKey) return
  shownKey = key
  const user = currentUser()
  const publicPage = ['login', 'signup', 'forgot', 'reset', 'verify', 'join'].includes(route.name)
  if (!publicPage && !user) {
    if (route.name === 'workspace') returnTo = route
    navigate({ name: 'login' })
    return
  }
  if (route.name === 'projects' && returnTo) {
    const target = returnTo
    returnTo = null
    navigate(target)
    return
  }
  if (route.name === 'workspace') {
    if (workspace && workspace.projectId === route.projectId) {
      workspace.setPhase(route.phase)
      return
    }
    leaveWorkspace()
    workspace = new Workspace(route.projectId)
    show(workspace.el)
    workspace.setPhase(route.phase)
    return
  }
  leaveWorkspace()
  const titles = {
    login: t('auth.sign_in'),
    signup: t('auth.signup_title'),
    forgot: t('auth.forgot_title'),
    reset: t('auth.choose_new_password'),
    verify: t('auth.verify_title'),
    join: t('join.page_title'),
    projects: t('projects.title')
  }
  document.title = `${titles[route.name] || titles.projects} · DTTools`
  if (route.name === 'login') {
    if (user) {
      navigate({ name: 'projects' })
      return
    }
    show(loginView({ message: takeFlash() }))
  } else if (route.name === 'signup') {
    show(signupView())
  } else if (route.name === 'forgot') {
    show(forgotView())
  } else if (route.name === 'reset') {
    show(resetView(route.token || ''))
  } else if (route.name === 'verify') {
    show(verifyView(route.token || ''))
  } else if (route.name === 'join') {
    show(joinView(route.token || '', user))
  } else {
    show(projectsView())
  }
}

// The skip link must not change the hash (the hash is the route).
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault()
  const main = document.getElementById('main')
  if (main) {
    main.tabIndex = -1
    main.focus()
  }
})

/**
 * The form fields of the page by name (or id), to be put back into the page rebuilt in another
 * language. @returns {Map<string, string>}
 */
function fieldValues() {
  const values = new Map()
  for (const el of root.querySelectorAll('input, textarea, select')) {
    const input = /** @type {HTMLInputElement} */ (el)
    const name = input.name || input.id
    if (name && !input.classList.contains('language-select')) values.set(name, input.value)
  }
  return values
}

/** @param {Map<string, string>} values from fieldValues() */
function restoreFieldValues(values) {
  for (const el of root.querySelectorAll('input, textarea, select')) {
    const input = /** @type {HTMLInputElement} */ (el)
    const value = values.get(input.name || input.id)
    if (value !== undefined && value !== input.value) input.value = value
  }
}

/** Show the page again in the language just chosen, keeping what lives on it. */
function relabelPage() {
  if (workspace) {
    // The workspace rebuilds its labels from the live document, without reconnecting.
    if ('relabel' in workspace && typeof workspace.relabel === 'function') {
      workspace.relabel()
      return
    }
  }
  const values = fieldValues()
  leaveWorkspace()
  shownKey = ''
  render(currentRoute())
  restoreFieldValues(values)
}

async function start() {
  try {
    await setLocale(initialLocale())
  } catch {
    await setLocale(FALLBACK_LOCALE)
  }
  try {
    // The account's language, when it has one, replaces this browser's (session.js).
    await loadUser()
  } catch (error) {
    toast(error.message, 'error')
  }
  onSessionExpired(() => {
    if (!currentUser()) return
    forget()
    leaveWorkspace()
    shownKey = ''
    toast(t('app.session_ended'), 'error')
    navigate({ name: 'login' })
  })
  onRoute(render)
  onLocaleChange(relabelPage)
}

start()
