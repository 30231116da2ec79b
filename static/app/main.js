// Entry point: find out who is signed in, then show the page the URL names.
import { onRoute, navigate } from './router.js'
import { loadUser, currentUser, forget, takeFlash } from './session.js'
import { onSessionExpired } from './api.js'
import { toast } from './dom.js'
import { loginView, signupView, forgotView, resetView, verifyView } from './views/auth.js'
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
  const publicPage = ['login', 'signup', 'forgot', 'reset', 'verify'].includes(route.name)
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
  document.title = 'DTTools'
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

async function start() {
  try {
    await loadUser()
  } catch (error) {
    toast(error.message, 'error')
  }
  onSessionExpired(() => {
    if (!currentUser()) return
    forget()
    leaveWorkspace()
    shownKey = ''
    toast('Your session ended. Please sign in again.', 'error')
    navigate({ name: 'login' })
  })
  onRoute(render)
}

start()
