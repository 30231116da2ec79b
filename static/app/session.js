// The signed-in account: sign in, sign up, sign out, who is signed in now, and the language
// the account reads the product in.
import * as api from './api.js'
import { LOCALES, locale, setLocale } from './i18n.js'

/** @type {{id: string, name: string, email: string | null, is_admin: boolean, locale?: string, guest_project?: string | null} | null} */
let user = null
/** A language picked on a signed-out page: the account takes it at the next sign-in. */
let pickedSignedOut = ''

/**
 * Show the product in `tag`, and remember it on the account when someone is signed in (or at
 * the next sign-in otherwise). @param {string} tag
 */
export async function chooseLocale(tag) {
  await setLocale(tag)
  if (user) await saveLocale(locale())
  else pickedSignedOut = locale()
}

/** Tell the server the account's language. @param {string} tag */
async function saveLocale(tag) {
  try {
    await api.patch('/v1/auth/me', { locale: tag })
    if (user) user.locale = tag
  } catch (error) {
    // A server without account languages (404/405) keeps it on this browser only.
    if (!(error instanceof api.ApiError && (error.status === 404 || error.status === 405))) {
      throw error
    }
  }
}

/**
 * After signing in: a language picked while signed out goes to the account; otherwise the
 * account's language (if it has one) is shown.
 */
async function adoptLocale() {
  if (!user) return
  const picked = pickedSignedOut
  pickedSignedOut = ''
  try {
    if (picked && picked !== user.locale) {
      await saveLocale(picked)
    } else if (user.locale && LOCALES.includes(user.locale) && user.locale !== locale()) {
      await setLocale(user.locale)
    }
  } catch {
    // signed in all the same; the language shown stays, and the menu can change it
  }
}

/** The signed-in account, or null. */
export const currentUser = () => user

/** Ask the server who is signed in (null when nobody is). */
export async function loadUser() {
  if (!api.hasSession()) {
    user = null
    return user
  }
  try {
    user = await api.get('/v1/auth/me')
  } catch (error) {
    if (error instanceof api.ApiError && (error.status === 401 || error.status === 403)) {
      user = null
    } else {
      throw error
    }
  }
  await adoptLocale()
  return user
}

/** @param {string} email @param {string} password */
export async function signIn(email, password) {
  const session = await api.post('/v1/auth/login', { email, password, client: 'browser' })
  api.noteSession(session)
  user = session.user
  await adoptLocale()
  return user
}

/**
 * Ask for an account. Nobody is signed in yet: the server e-mails a link that finishes the
 * sign-up (or, if the address already has an account, a notice to its owner).
 * @param {string} name @param {string} email @param {string} password
 */
export async function signUp(name, email, password) {
  await api.post('/v1/auth/register', { name, email, password, locale: locale() })
}

/** Finish a sign-up with the token of the e-mailed link, and sign in. @param {string} token */
export async function verifyEmail(token) {
  const session = await api.post('/v1/auth/verify-email', { token, client: 'browser' })
  api.noteSession(session)
  user = session.user
  await adoptLocale()
  return user
}

/**
 * Join a project with an invite link: as the signed-in account, or (nobody signed in) as a
 * guest called `name`, whose session this page then holds.
 * @param {string} token @param {string} [name]
 * @returns {Promise<{project_id: string, role: string, guest: boolean}>}
 */
export async function joinInvite(token, name) {
  const body = name ? { name, client: 'browser' } : { client: 'browser' }
  const joined = await api.post(`/v1/invites/${encodeURIComponent(token)}/join`, body)
  if (joined.session) {
    api.noteSession(joined.session)
    user = joined.session.user
    await adoptLocale()
  }
  return joined
}

export async function signOut() {
  try {
    await api.post('/v1/auth/logout', {})
  } finally {
    api.noteSession(null)
    user = null
  }
}

/** Forget the account locally (the server already ended the session). */
export function forget() {
  user = null
}

let flash = ''
/** A message for the next page (e.g. "password changed" on the sign-in page). @param {string} text */
export const setFlash = (text) => {
  flash = text
}
export const takeFlash = () => {
  const text = flash
  flash = ''
  return text
}
