// The signed-in account: sign in, sign up, sign out, and who is signed in now.
import * as api from './api.js'

/** @type {{id: string, name: string, email: string, is_admin: boolean} | null} */
let user = null

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
  return user
}

/** @param {string} email @param {string} password */
export async function signIn(email, password) {
  const session = await api.post('/v1/auth/login', { email, password, client: 'browser' })
  api.noteSession(session)
  user = session.user
  return user
}

/**
 * Ask for an account. Nobody is signed in yet: the server e-mails a link that finishes the
 * sign-up (or, if the address already has an account, a notice to its owner).
 * @param {string} name @param {string} email @param {string} password
 */
export async function signUp(name, email, password) {
  await api.post('/v1/auth/register', { name, email, password })
}

/** Finish a sign-up with the token of the e-mailed link, and sign in. @param {string} token */
export async function verifyEmail(token) {
  const session = await api.post('/v1/auth/verify-email', { token, client: 'browser' })
  api.noteSession(session)
  user = session.user
  return user
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
