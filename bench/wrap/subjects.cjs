// The functions under test: per case (call, method, new class, new ES5 function, call-or-new) one target per variant.
'use strict'

const shimmer = requireShimmer()
const { wrap, wrapMethod, unwrap, isWrapped } = require('../../dist/wrap/index.js')

function requireShimmer () {
  try {
    return require('shimmer')
  } catch (error) {
    throw new Error(`bench/wrap compares against shimmer: install it first (npm install --save-dev shimmer@1.2.1). ${error.message}`)
  }
}

// Every wrapper below is written out at its own place in the source, as a user writes each one by hand:
// V8 keeps call-site feedback per source site, so sharing one factory would make the baselines polymorphic
// while patchrun's own internals (one made-function shape for every wrap) are shared by nature.

function plainCase () {
  const make = () => ({ add: function add (a, b) { return a + b } })
  const direct = make()
  const closure = make()
  const orig = closure.add
  closure.add = function (...a) { return orig.apply(this, a) }
  const viaShimmer = make()
  shimmer.wrap(viaShimmer, 'add', (original) => function (...a) { return original.apply(this, a) })
  const viaPatchrun = make()
  wrap(viaPatchrun, 'add', (original, thisArg, args) => original.apply(thisArg, args))
  return {
    id: 'call',
    title: 'f(i, 1)',
    body: 'sink += target.add(i, 1)',
    expected: (n) => n * (n - 1) / 2 + n,
    targets: { direct, closure, shimmer: viaShimmer, patchrun: viaPatchrun },
    check: (t) => t.add(2, 3) === 5,
    wrappedFn: (t) => t.add
  }
}

function methodCase () {
  const make = () => class Counter { constructor () { this.k = 1 } add (a, b) { return this.k + a + b } }
  const Direct = make()
  const Closure = make()
  const orig = Closure.prototype.add
  Closure.prototype.add = function (...a) { return orig.apply(this, a) }
  const Shimmered = make()
  shimmer.wrap(Shimmered.prototype, 'add', (original) => function (...a) { return original.apply(this, a) })
  const Patched = make()
  wrapMethod(Patched, 'add', (original, thisArg, args) => original.apply(thisArg, args))
  return {
    id: 'method',
    title: 'obj.m(i, 1) (prototype method)',
    body: 'sink += target.add(i, 1)',
    expected: (n) => n * (n - 1) / 2 + 2 * n,
    targets: { direct: new Direct(), closure: new Closure(), shimmer: new Shimmered(), patchrun: new Patched() },
    check: (t) => t.add(2, 3) === 6,
    wrappedFn: (t) => Object.getPrototypeOf(t).add
  }
}

function classCase () {
  const make = () => ({ Point: class Point { constructor (x, y) { this.x = x; this.y = y } } })
  const direct = make()
  // A class cannot be applied, so the hand-written closure constructs; `new.target === f ? orig : ...` keeps
  // subclassing working, and avoids V8's slow path for Reflect.construct with a foreign newTarget (with plain
  // `new.target` this closure costs about 1.8 us per call on Node 20).
  const closure = make()
  const orig = closure.Point
  const f = function (...a) { return Reflect.construct(orig, a, new.target === f ? orig : new.target) }
  f.prototype = orig.prototype
  closure.Point = f
  const viaShimmer = make()
  shimmer.wrap(viaShimmer, 'Point', (original) => {
    const g = function (...a) { return Reflect.construct(original, a, new.target === g ? original : new.target) }
    g.prototype = original.prototype
    return g
  })
  const viaPatchrun = make()
  wrap(viaPatchrun, 'Point', (original, thisArg, args, newTarget) => Reflect.construct(original, args, newTarget))
  return {
    id: 'new-class',
    title: 'new C(i, 1) (class)',
    body: 'const p = new target.Point(i, 1); sink += p.x + p.y',
    expected: (n) => n * (n - 1) / 2 + n,
    targets: { direct, closure, shimmer: viaShimmer, patchrun: viaPatchrun },
    check: (t) => { const p = new t.Point(2, 3); return p.x + p.y === 5 && p instanceof t.Point },
    wrappedFn: (t) => t.Point
  }
}

function es5Case () {
  const make = () => {
    function Point (x, y) { this.x = x; this.y = y }
    return { Point }
  }
  const direct = make()
  const closure = make()
  const orig = closure.Point
  closure.Point = function (...a) { return orig.apply(this, a) }
  closure.Point.prototype = orig.prototype
  const viaShimmer = make()
  shimmer.wrap(viaShimmer, 'Point', (original) => {
    const f = function (...a) { return original.apply(this, a) }
    f.prototype = original.prototype
    return f
  })
  // Under `new`, thisArg is the object `new` made: an ES5 constructor initialises it when applied.
  const viaPatchrun = make()
  wrap(viaPatchrun, 'Point', (original, thisArg, args) => original.apply(thisArg, args))
  return {
    id: 'new-es5',
    title: 'new F(i, 1) (ES5 function)',
    body: 'const p = new target.Point(i, 1); sink += p.x + p.y',
    expected: (n) => n * (n - 1) / 2 + n,
    targets: { direct, closure, shimmer: viaShimmer, patchrun: viaPatchrun },
    check: (t) => { const p = new t.Point(2, 3); return p.x + p.y === 5 && p instanceof t.Point },
    wrappedFn: (t) => t.Point
  }
}

// Beyond the goal, shown so nobody meets it by surprise: one wrapper that both calls and constructs,
// branching on new.target / newTarget, the way a wrapper for "any function" is written.
function eitherCase () {
  const make = () => {
    function Point (x, y) { this.x = x; this.y = y }
    return { Point }
  }
  const direct = make()
  const closure = make()
  const orig = closure.Point
  const f = function (...a) { return new.target === undefined ? orig.apply(this, a) : Reflect.construct(orig, a, new.target === f ? orig : new.target) }
  f.prototype = orig.prototype
  closure.Point = f
  const viaShimmer = make()
  shimmer.wrap(viaShimmer, 'Point', (original) => {
    const g = function (...a) { return new.target === undefined ? original.apply(this, a) : Reflect.construct(original, a, new.target === g ? original : new.target) }
    g.prototype = original.prototype
    return g
  })
  const viaPatchrun = make()
  wrap(viaPatchrun, 'Point', (original, thisArg, args, newTarget) =>
    newTarget === undefined ? original.apply(thisArg, args) : Reflect.construct(original, args, newTarget))
  return {
    id: 'new-either',
    title: 'new F(i, 1), call-or-new wrapper',
    body: 'const p = new target.Point(i, 1); sink += p.x + p.y',
    expected: (n) => n * (n - 1) / 2 + n,
    targets: { direct, closure, shimmer: viaShimmer, patchrun: viaPatchrun },
    check: (t) => { const p = new t.Point(2, 3); return p.x + p.y === 5 && p instanceof t.Point },
    wrappedFn: (t) => t.Point,
    informative: true
  }
}

// Patches get undone in real processes: unwrap, and remove a middle layer, on other functions first. Each
// wrapped function must keep its fast path when others change (patchrun gives each link its own hidden class).
function churn () {
  const other = { f (a) { return a }, C: class { constructor (a) { this.a = a } } }
  const pass = (original, thisArg, args, newTarget) =>
    newTarget === undefined ? original.apply(thisArg, args) : Reflect.construct(original, args, newTarget)
  const layers = [(o, t, a) => o.apply(t, a), (o, t, a) => o.apply(t, a), (o, t, a) => o.apply(t, a)]
  for (const layer of layers) wrap(other, 'f', layer)
  unwrap(other, 'f', layers[1])
  for (let i = 0; i < 1e5; i++) other.f(i)
  unwrap(other, 'f')
  wrap(other, 'C', pass)
  for (let i = 0; i < 1e5; i++) new other.C(i)
  unwrap(other, 'C')
}

const VARIANTS = ['direct', 'closure', 'shimmer', 'patchrun']

/**
 * One entry per (case, variant), each with its own loop compiled from source (`new Function`), so every
 * call site under test has its own feedback, the way each call site in an app does. The loop sums what the
 * calls return, and the sum is checked after each timing, so no call can be optimised away.
 */
function buildSubjects () {
  churn()
  const cases = [plainCase(), methodCase(), classCase(), es5Case(), eitherCase()]
  const subjects = []
  for (const c of cases) {
    for (const variant of VARIANTS) {
      const target = c.targets[variant]
      // The comment makes each source unique: V8 caches compiled code by source text, and two loops with one
      // text would share one feedback vector (one call site seeing every variant).
      const loop = new Function('target', 'n', `'use strict'; /* ${c.id} ${variant} */ let sink = 0; for (let i = 0; i < n; i++) { ${c.body} } return sink`)
      subjects.push({ caseId: c.id, caseTitle: c.title, variant, target, loop, expected: c.expected, check: c.check, wrappedFn: c.wrappedFn })
    }
  }
  return { cases, subjects }
}

/** Before any timing: every variant gives the right answer, and the wrapped ones really are wrapped. */
function verifySubjects (subjects) {
  for (const s of subjects) {
    if (!s.check(s.target)) throw new Error(`${s.caseId}/${s.variant}: wrong result`)
    const fn = s.wrappedFn(s.target)
    const wrapped = s.variant === 'patchrun' ? isWrapped(fn) : s.variant === 'shimmer' ? fn.__wrapped === true : true
    if (!wrapped) throw new Error(`${s.caseId}/${s.variant}: not wrapped`)
  }
}

module.exports = { VARIANTS, buildSubjects, verifySubjects }
