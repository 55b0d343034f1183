// A property's stack of layers: find it, add layers, remove any one of them, put the saved descriptor back.
import { debug, wrapFailed } from './host'
import { makeCallable } from './callable'
import { describeTarget } from './describe'
import { checkFits } from './checks'
import { linkOf, newLink, passThrough, type Kind, type Layer, type Link, type Slot, type Stack } from './model'
import { assignValue, chooseMode, copyDescriptor, findProperty, replacementDescriptor } from './property'
import type { AnyFunction } from './types'

const SLOTS: Readonly<Record<Kind, readonly Slot[]>> = { value: ['value'], accessor: ['get', 'set'] }

/**
 * The stack that owns `owner[name]` right now: the property is own, holds the top of one of our stacks, and
 * that stack was made for this very owner and name. An inherited wrapped method (`instance.m` when
 * `Class.prototype.m` is wrapped) is not the instance's stack; a property someone replaced after us is not ours.
 */
export function currentStack(owner: object, name: string | symbol): Stack | undefined {
  const found = findProperty(owner, name)
  if (!found || !found.own) return undefined
  const { descriptor } = found
  const stack = (linkOf(descriptor.value) ?? linkOf(descriptor.get) ?? linkOf(descriptor.set))?.layer.stack
  if (!stack || stack.ended || stack.owner !== owner || stack.name !== name) return undefined
  const { installed } = stack
  const holdsOurs = stack.kind === 'value' ? descriptor.value === installed.value : descriptor.get === installed.get && descriptor.set === installed.set
  return holdsOurs ? stack : undefined
}

/**
 * Puts `layers` on top of the property's stack (making the stack on first use), in order, and installs the
 * new top. Everything is checked before anything changes; if installing fails, the stack is as it was.
 */
export function attachLayers(action: string, owner: object, name: string | symbol, layers: readonly Layer[]): Stack {
  const found = findProperty(owner, name)
  for (const layer of layers) checkFits(action, owner, name, found, layer)
  const stack = currentStack(owner, name) ?? newStack(action, owner, name, layers[0]!.kind)
  const before = layers.map((layer) => ({ layer, state: layer.state, stack: layer.stack }))
  const tops = topsOf(stack)
  for (const layer of layers) {
    // New links are born active; only a layer coming back (an undone unwrap) is switched on again.
    if (layer.links === undefined) layer.links = makeLinks(layer, stack, tops)
    else for (const link of layer.links) activate(link, true)
    layer.stack = stack
    layer.state = 'active'
    stack.layers.push(layer)
  }
  try {
    relink(stack, true)
  } catch (error) {
    stack.layers.length -= layers.length
    for (const { layer, state, stack: previous } of before) {
      layer.state = state
      layer.stack = previous
      for (const link of layer.links ?? []) activate(link, false)
    }
    relink(stack, false)
    throw wrapFailed(action, describeTarget(owner, name), 'putting the wrapped function in place failed', installHint(stack), error)
  }
  if (debug.enabled) debug('%s %s: %d layer(s) now (%s by %s)', action, describeTarget(owner, name), stack.layers.length, stack.saved.own ? 'own' : 'inherited', stack.mode)
  return stack
}

/**
 * Takes `layers` out of their stack and re-points the rest past them. The last layer gone, the saved
 * descriptor comes back exactly (or the own shadow of an inherited property is deleted). If the property no
 * longer holds our top (someone replaced it after us), nothing is written to it: the removed links just pass
 * calls through, inside whatever wraps them now.
 */
export function removeLayers(action: string, stack: Stack, layers: readonly Layer[], state: 'removed' | 'disposed'): void {
  const ours = currentStack(stack.owner, stack.name) === stack
  for (const layer of layers) {
    const at = stack.layers.indexOf(layer)
    if (at !== -1) stack.layers.splice(at, 1)
    layer.state = state
    for (const link of layer.links ?? []) activate(link, false)
  }
  const target = debug.enabled ? describeTarget(stack.owner, stack.name) : ''
  if (!ours) {
    relink(stack, false)
    if (stack.layers.length === 0) stack.ended = true
    if (debug.enabled) debug('%s %s: the property no longer holds our wrapper; removed layer(s) now pass calls through', action, target)
    return
  }
  try {
    if (stack.layers.length > 0) relink(stack, true)
    else restore(stack)
  } catch (error) {
    throw wrapFailed(action, describeTarget(stack.owner, stack.name), 'putting the property back failed', installHint(stack), error)
  }
  if (debug.enabled) debug('%s %s: %d layer(s) left', action, target, stack.layers.length)
}

function newStack(action: string, owner: object, name: string | symbol, kind: Kind): Stack {
  const found = findProperty(owner, name)
  // checkFits ran on this very property, so it exists.
  const saved = { ...found!, descriptor: copyDescriptor(found!.descriptor) }
  const { descriptor } = saved
  const originals = kind === 'value' ? { value: descriptor.value as AnyFunction } : { get: descriptor.get, set: descriptor.set }
  const mode = chooseMode(saved)
  if (mode === 'assign' && kind === 'accessor') {
    throw wrapFailed(action, describeTarget(owner, name), 'it is an accessor that can only be assigned to', 'Wrap the functions its getter returns instead')
  }
  return { owner, name, kind, saved, mode, originals, layers: [], installed: {}, ended: false }
}

/**
 * New links for a layer going on top of `tops` (the current top function per slot, updated as links are
 * made), so each link is born with its final `inner`: see `newLink` for why that matters.
 */
function makeLinks(layer: Layer, stack: Stack, tops: Partial<Record<Slot, AnyFunction>>): Link[] {
  const links: Link[] = []
  for (const slot of SLOTS[layer.kind]) {
    const wrapper = layer.wrappers[slot]
    const original = stack.originals[slot]
    const inner = tops[slot]
    if (!wrapper || !original || !inner) continue
    const link = newLink(slot, wrapper, layer, inner)
    link.fn = makeCallable(link, original)
    tops[slot] = link.fn
    links.push(link)
  }
  return links
}

/** A link in place calls its wrapper; a removed one passes straight through. Stores only what changes. */
function activate(link: Link, on: boolean): void {
  const call = on ? link.wrapper : passThrough
  if (link.dispatch.call !== call) link.dispatch.call = call
  if (link.active !== on) link.active = on
}

/** The function at the top of each slot's chain: the last active link's, or the original. */
function topsOf(stack: Stack): Partial<Record<Slot, AnyFunction>> {
  const tops: Partial<Record<Slot, AnyFunction>> = {}
  for (const slot of SLOTS[stack.kind]) {
    let top = stack.originals[slot]
    for (const layer of stack.layers) top = layer.links?.find((l) => l.slot === slot)?.fn ?? top
    tops[slot] = top
  }
  return tops
}

/** Points each active link at the one below it (the bottom at the original); with `install`, puts the tops in place. */
function relink(stack: Stack, install: boolean): void {
  const tops: Partial<Record<Slot, AnyFunction | undefined>> = {}
  for (const slot of SLOTS[stack.kind]) {
    let inner = stack.originals[slot]
    for (const layer of stack.layers) {
      const link = layer.links?.find((l) => l.slot === slot)
      if (!link || !inner) continue
      if (link.dispatch.inner !== inner) link.dispatch.inner = inner
      inner = link.fn
    }
    tops[slot] = inner
  }
  if (!install) return
  const { owner, name, saved } = stack
  if (stack.mode === 'assign') assignValue(owner, name, tops.value)
  else Object.defineProperty(owner, name, replacementDescriptor(saved, stack.kind === 'value' ? { value: tops.value } : { get: tops.get, set: tops.set }))
  stack.installed = tops
}

function restore(stack: Stack): void {
  const { owner, name, saved } = stack
  if (stack.mode === 'assign') assignValue(owner, name, stack.originals.value)
  else if (saved.own) Object.defineProperty(owner, name, saved.descriptor)
  else if (!Reflect.deleteProperty(owner, name)) throw new TypeError('the own wrapper property could not be deleted')
  stack.ended = true
}

function installHint(stack: Stack): string {
  return stack.mode === 'assign'
    ? 'The owner refused the assignment; a plain ES module namespace is read-only, so wrap the exports object (or the proxy) a post-import hook receives'
    : 'The owner refused Object.defineProperty (a Proxy, or an object frozen meanwhile); wrap before it is frozen, or wrap the function where it is defined'
}
