// Empathize: persona cards (every field, avatar or initials) and empathy maps (says / thinks /
// does / feels quadrants plus pains and gains, as sticky notes).
import { h, initials, colorFor, announce } from '../dom.js'
import { createForm } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { listEditor } from '../lists.js'
import {
  addArtifact,
  setFields,
  str,
  isLink,
  withScheme,
  LIMITS,
  fieldLabel,
  entryLabel
} from '../schema.js'
import {
  ACCEPT_IMAGES,
  IMAGE_TYPES,
  acceptable,
  contentUrl,
  dropZone,
  filePicker,
  imagesOf,
  isFileId,
  previewOf,
  thumbnailUrl,
  uploadError,
  uploadFile,
  uploadStatus
} from '../uploads.js'
import { t } from '../i18n.js'
import { artifactSection, card, deleteButton, optionsOf, onRootChange } from './common.js'

const linkProblem = (text) => (text && !isLink(text) ? t('empathize.avatar_problem') : '')
/** A label of a persona's field. @param {string} name */
const personaLabel = (name) => fieldLabel('personas', name)
/** A label of an empathy map's field. @param {string} name */
const mapLabel = (name) => fieldLabel('empathyMaps', name)
/** The "(no persona)" choice of the persona selects. @returns {[string, string]} */
const noPersona = () => ['', t('empathize.no_persona')]

/**
 * The avatar: the uploaded photo (`avatarFileId`, its thumbnail), else the linked picture
 * (`avatar`), else initials (also when a picture fails to load). While a photo uploads, its
 * local preview shows until the document names the new file.
 */
function avatar(map) {
  const box = h('div', { class: 'avatar large', 'aria-hidden': 'true' })
  let shown = null
  /** @type {{url: string, fileId: string | null} | null} the picture being uploaded */
  let preview = null
  /** @param {string} src @param {string} [fallback] tried when `src` fails */
  const picture = (src, fallback) => {
    const name = str(map, 'name')
    const img = h('img', {
      src,
      alt: t('empathize.avatar_alt', { name: name || t('empathize.untitled_persona') }),
      referrerpolicy: 'no-referrer',
      loading: 'lazy'
    })
    img.addEventListener('error', () => {
      if (fallback && img.getAttribute('src') !== fallback) img.src = fallback
      else box.replaceChildren(initials(name))
    })
    return img
  }
  const render = () => {
    const fileId = map.get('avatarFileId')
    const url = map.get('avatar')
    const name = str(map, 'name')
    box.style.setProperty('--avatar', colorFor(name || map.get('id') || '?'))
    if (preview && preview.fileId !== null && preview.fileId === fileId) preview = null
    const key = preview ? `preview|${preview.url}` : `${fileId}|${url}|${name}`
    if (key === shown) return
    shown = key
    box.classList.toggle('uploading', Boolean(preview))
    if (preview) {
      box.removeAttribute('aria-hidden')
      box.replaceChildren(picture(preview.url))
    } else if (isFileId(fileId)) {
      box.removeAttribute('aria-hidden')
      box.replaceChildren(picture(thumbnailUrl(fileId), contentUrl(fileId)))
    } else if (typeof url === 'string' && isLink(url)) {
      box.setAttribute('aria-hidden', 'true')
      const img = h('img', { src: url, alt: '', referrerpolicy: 'no-referrer', loading: 'lazy' })
      img.addEventListener('error', () => box.replaceChildren(initials(name)))
      box.replaceChildren(img)
    } else {
      box.setAttribute('aria-hidden', 'true')
      box.replaceChildren(initials(name))
    }
  }
  render()
  return {
    el: box,
    refresh: render,
    key: 'avatarFileId',
    /** Show `url` until the document names `fileId` (null: not known yet; clear: stop). */
    preview(/** @type {string} */ url, /** @type {string | null} */ fileId = null) {
      preview = url ? { url, fileId } : null
      render()
      if (preview && fileId) {
        // the document's update normally arrives with the answer; never keep a stale preview
        setTimeout(() => {
          if (preview && preview.fileId === fileId) {
            preview = null
            render()
          }
        }, 5000)
      }
    }
  }
}

/**
 * The photo controls of a persona card: upload (button or drop on the card's head), progress,
 * errors, and remove. The upload is `POST /v1/personas/{id}/avatar`: the server links the file
 * in the live document, so every open browser shows the photo.
 */
function photoControls(live, id, map, pic, dropTarget) {
  const status = uploadStatus()
  const upload = async (/** @type {File} */ file) => {
    if (live.readOnly) return
    if (!acceptable(file, IMAGE_TYPES)) {
      status.fail(t('upload.not_a_picture', { name: file.name }))
      return
    }
    status.start(file.name)
    const local = await previewOf(file)
    if (local) pic.preview(local)
    try {
      const stored = await uploadFile(`/v1/personas/${encodeURIComponent(id)}/avatar`, file, {
        onProgress: status.progress
      })
      status.done()
      pic.preview(local, stored.id)
      announce(t('empathize.photo_uploaded', { name: str(map, 'name') }))
    } catch (error) {
      pic.preview('')
      status.fail(t('upload.failed', { name: file.name, error: uploadError(error) }))
    }
  }
  const picker = filePicker({
    label: t('empathize.upload_avatar'),
    accept: ACCEPT_IMAGES,
    onFiles: (files) => upload(files[0])
  })
  const remove = h('button', {
    type: 'button',
    class: 'ghost small',
    text: t('empathize.remove_avatar')
  })
  remove.addEventListener('click', () => {
    if (live.write(() => setFields(map, { avatarFileId: null }))) {
      status.clear()
      announce(t('empathize.photo_removed', { name: str(map, 'name') }))
    }
  })
  dropZone(
    dropTarget,
    (files) => upload(imagesOf(files)[0] || files[0]),
    () => !live.readOnly
  )
  const render = () => {
    remove.hidden = !isFileId(map.get('avatarFileId'))
  }
  render()
  return {
    el: h('div', { class: 'photo-controls' }, picker.el, remove, status.el),
    key: 'avatarFileId',
    refresh: render
  }
}

function personaCard(ctx, id, map) {
  const { live } = ctx
  const pic = avatar(map)
  const fields = [
    boundText(live, map, 'name', {
      label: personaLabel('name'),
      required: true,
      maxLength: LIMITS.name
    }),
    boundText(live, map, 'role', { label: personaLabel('role'), maxLength: LIMITS.role }),
    boundText(live, map, 'demographics', {
      label: personaLabel('demographics'),
      maxLength: LIMITS.demographics
    }),
    boundText(live, map, 'quote', {
      label: personaLabel('quote'),
      multiline: true,
      rows: 2,
      maxLength: LIMITS.quote
    }),
    boundText(live, map, 'bio', {
      label: personaLabel('bio'),
      multiline: true,
      rows: 4,
      maxLength: LIMITS.bio
    }),
    boundText(live, map, 'avatar', {
      label: personaLabel('avatar'),
      type: 'url',
      maxLength: LIMITS.link,
      validate: linkProblem,
      normalize: withScheme,
      toValue: (text) => text.trim() || null
    })
  ]
  const lists = ['goals', 'pains', 'gains'].map((key) =>
    listEditor(live, map, key, {
      label: personaLabel(key),
      item: entryLabel(key),
      className: key
    })
  )
  const name = () => str(map, 'name')
  const c = card('Persona', name, () => t('empathize.untitled_persona'))
  const head = h('header', { class: 'card-head' })
  const photo = photoControls(live, id, map, pic, head)
  const subtitle = h('p', { class: 'card-subtitle' })
  const describe = () => {
    subtitle.textContent = [str(map, 'role'), str(map, 'demographics')].filter(Boolean).join(' · ')
  }
  describe()
  head.append(
    pic.el,
    h('div', { class: 'card-heading' }, c.title, subtitle),
    deleteButton(live, 'personas', id, () => t('empathize.delete_persona', { name: name() }))
  )
  c.el.append(
    head,
    photo.el,
    h(
      'div',
      { class: 'persona-body' },
      h(
        'div',
        { class: 'card-fields' },
        fields.map((f) => f.el)
      ),
      h(
        'div',
        { class: 'card-lists' },
        lists.map((l) => l.el)
      )
    )
  )
  const bound = [...fields, ...lists, pic, photo]
  return {
    el: c.el,
    update(keys) {
      refreshBound(bound, keys)
      if (keys.has('name') || keys.has('avatar')) {
        c.rename()
        pic.refresh()
      }
      if (keys.has('role') || keys.has('demographics')) describe()
    }
  }
}

const QUADRANTS = ['says', 'thinks', 'does', 'feels']

function empathyMapCard(ctx, id, map, personaSelects) {
  const { live } = ctx
  const title = boundText(live, map, 'title', { label: mapLabel('title'), maxLength: LIMITS.title })
  const persona = boundSelect(live, map, 'personaId', {
    label: mapLabel('personaId'),
    emptyLabel: noPersona()[1],
    options: () => optionsOf(live, 'personas', (p) => str(p, 'name'))
  })
  personaSelects.add(persona)
  const quadrants = QUADRANTS.map((key) =>
    listEditor(live, map, key, {
      label: mapLabel(key),
      item: entryLabel(key),
      className: `quadrant q-${key}`
    })
  )
  const extra = ['pains', 'gains'].map((key) =>
    listEditor(live, map, key, { label: mapLabel(key), item: entryLabel(key), className: key })
  )
  const name = () => {
    const who = live.doc.getMap('personas').get(map.get('personaId'))
    const personaName = who && typeof who.get === 'function' ? str(who, 'name') : ''
    return (
      str(map, 'title') ||
      (personaName ? t('empathize.map_of', { name: personaName }) : t('empathize.untitled_map'))
    )
  }
  const c = card('Empathy map', name, () => t('empathize.untitled_map'))
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'empathyMaps', id, () => name())
    ),
    h('div', { class: 'card-fields two' }, title.el, persona.el),
    h(
      'div',
      { class: 'quadrants' },
      quadrants.map((q) => q.el)
    ),
    h(
      'div',
      { class: 'pains-gains' },
      extra.map((q) => q.el)
    )
  )
  const bound = [title, persona, ...quadrants, ...extra]
  return {
    el: c.el,
    update(keys) {
      refreshBound(bound, keys)
      c.rename()
    },
    destroy() {
      personaSelects.delete(persona)
    },
    rename: c.rename
  }
}

/** @param {{live: import('../live.js').LiveProject, user: {id: string}}} ctx */
export function empathizeView(ctx) {
  const { live, user } = ctx
  const personaForm = createForm({
    title: t('empathize.new_persona'),
    submit: t('empathize.add_persona'),
    fields: [
      {
        name: 'name',
        label: t('empathize.persona_name'),
        required: true,
        maxLength: LIMITS.name
      },
      { name: 'role', label: t('empathize.persona_role'), maxLength: LIMITS.role }
    ],
    onSubmit: ({ name, role }) => {
      live.write(() =>
        addArtifact(
          live.doc,
          'personas',
          {
            name,
            role,
            demographics: '',
            bio: '',
            quote: '',
            avatar: null,
            avatarFileId: null,
            goals: [],
            pains: [],
            gains: []
          },
          user.id
        )
      )
    }
  }).form
  const personas = artifactSection({
    title: t('empathize.personas'),
    form: personaForm,
    emptyText: t('empathize.no_personas'),
    root: live.doc.getMap('personas'),
    makeCard: (id, map) => personaCard(ctx, id, map),
    className: 'persona-grid'
  })

  const personaSelects = new Set()
  const mapForm = createForm({
    title: t('empathize.new_map'),
    submit: t('empathize.add_map'),
    fields: [
      { name: 'title', label: t('empathize.map_title'), maxLength: LIMITS.title },
      {
        name: 'personaId',
        label: t('empathize.for_persona'),
        type: 'select',
        options: () => [noPersona(), ...optionsOf(live, 'personas', (p) => str(p, 'name'))]
      }
    ],
    onSubmit: ({ title, personaId }) => {
      live.write(() =>
        addArtifact(
          live.doc,
          'empathyMaps',
          {
            personaId: personaId || null,
            title,
            says: [],
            thinks: [],
            does: [],
            feels: [],
            pains: [],
            gains: []
          },
          user.id
        )
      )
    }
  })
  const maps = artifactSection({
    title: t('empathize.maps'),
    form: mapForm.form,
    emptyText: t('empathize.no_maps'),
    root: live.doc.getMap('empathyMaps'),
    makeCard: (id, map) => empathyMapCard(ctx, id, map, personaSelects),
    className: 'map-grid'
  })
  // persona names appear in the maps' selects and titles
  const stop = onRootChange(live.doc.getMap('personas'), () => {
    for (const select of personaSelects) select.refresh()
    for (const c of maps.list.cards.values()) if (c.rename) c.rename()
    const formSelect = mapForm.inputs.personaId
    const value = formSelect.value
    formSelect.replaceChildren(
      ...[noPersona(), ...optionsOf(live, 'personas', (p) => str(p, 'name'))].map(([v, text]) =>
        h('option', { value: v, text })
      )
    )
    formSelect.value = value
  })
  return {
    el: h('div', { class: 'phase phase-empathize' }, personas.el, maps.el),
    destroy() {
      stop()
      personas.destroy()
      maps.destroy()
    }
  }
}
